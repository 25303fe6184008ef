# Puma on the port the load balancer's target group sends to, with Solid Queue's supervisor inside it: every web
# task also works off jobs (docs/rails.md#background-jobs). The pid file goes to tmp/, which is writable.
threads 3, 3
port ENV.fetch("PORT")
plugin :solid_queue
pidfile "tmp/pids/server.pid"
