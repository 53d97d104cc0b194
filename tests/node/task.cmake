# Task dispatch (node/service/node_task*.c): the escalation scheduler
# with a fake clock, on a real store.
rm_unit_test(node.task_sched SOURCES test_task_sched.c LIBS rm_service
  TIMEOUT 60)
