# The routes the platform relies on, besides the app's own.
Rails.application.routes.draw do
  # The load balancer's health check: 200 when the app has booted (Rails::HealthController).
  get ENV.fetch("HEALTH_CHECK_PATH") => "rails/health#show", as: :rails_health_check

  # Uploads over Active Storage's 5 GiB direct-upload limit (app/controllers/multipart_uploads_controller.rb).
  post "uploads/multipart/create", to: "multipart_uploads#create"
  post "uploads/multipart/parts", to: "multipart_uploads#parts"
  post "uploads/multipart/complete", to: "multipart_uploads#complete"
  post "uploads/multipart/abort", to: "multipart_uploads#abort"
end
