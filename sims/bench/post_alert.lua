-- wrk script: POST a distinct yellow alert per request to /v1/alerts.
-- The token comes from the environment (RM_TOKEN).
local token = os.getenv("RM_TOKEN")
counter = 0
local thread_id = 0
created = 0
local threads = {}

function setup(thread)
	thread:set("tid", thread_id)
	thread_id = thread_id + 1
	table.insert(threads, thread)
end

function init(args)
	counter = 0
	created = 0
end

function request()
	counter = counter + 1
	local body = string.format(
		'{"grade":"yellow","areas":["120116"],"texts":[{"lang":"en-US",' ..
		'"event":"Bench","headline":"bench %d-%d"}]}', tid, counter)
	return wrk.format("POST", "/v1/alerts", {
		["Authorization"] = "Bearer " .. token,
		["Content-Type"] = "application/json",
	}, body)
end

function response(status, headers, body)
	if status == 201 then
		created = created + 1
	end
end

function done(summary, latency, requests)
	local total = 0
	for _, t in ipairs(threads) do
		total = total + t:get("created")
	end
	io.write(string.format("created=%d\n", total))
end
