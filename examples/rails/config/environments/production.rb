# The lines of config/environments/production.rb that matter on this platform (Rails 7.1, 7.2 and 8), with
# the rest of the generated file left as it is. docs/rails.md says why each is here.
require "active_support/core_ext/integer/time"

Rails.application.configure do
  # The load balancer ends TLS and forwards plain HTTP with X-Forwarded-Proto: https. assume_ssl makes every
  # request count as HTTPS (secure cookies, https URLs), so force_ssl redirects nothing the load balancer sends.
  config.assume_ssl = true
  config.force_ssl = true

  # The load balancer's health check is a plain HTTP GET of HEALTH_CHECK_PATH (/up) with the task's IP as Host
  # and no X-Forwarded-Proto. It must get 200: never a redirect to HTTPS, never a refusal of that Host.
  health_check = ->(request) { request.path == ENV.fetch("HEALTH_CHECK_PATH") }
  config.ssl_options = { redirect: { exclude: health_check } }
  config.hosts = [ENV.fetch("APP_DOMAIN")]
  config.host_authorization = { exclude: health_check }

  # Logs go to standard output: ECS sends them to CloudWatch Logs, and the log archive keeps them on S3.
  # The root file system is read-only: nothing is written to log/.
  config.logger = ActiveSupport::TaggedLogging.logger($stdout)
  config.log_tags = [:request_id]
  config.log_level = :info

  # Uploads: the uploads bucket (config/storage.yml).
  config.active_storage.service = :amazon

  # Jobs: Solid Queue in the app's one database, run inside Puma by every web task (config/puma.rb).
  config.active_job.queue_adapter = :solid_queue
  config.cache_store = :solid_cache_store

  # Mail: the SES API with the task role (gem "aws-actionmailer-ses"), no SMTP. MAIL_FROM is set where the
  # environment file has a mail section; the task role may send only from that address.
  if ENV.key?("MAIL_FROM")
    config.action_mailer.delivery_method = :ses_v2
    config.action_mailer.ses_v2_settings = { region: ENV.fetch("AWS_REGION") }
    config.action_mailer.default_options = { from: ENV["MAIL_FROM"] }
  else
    config.action_mailer.perform_deliveries = false
  end
  config.action_mailer.default_url_options = { host: ENV.fetch("APP_DOMAIN"), protocol: "https" }

  config.i18n.fallbacks = true
  config.active_record.dump_schema_after_migration = false
end
