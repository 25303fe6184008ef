# Uploads over Active Storage's direct-upload limit (one presigned PUT of at most 5 GiB), up to UPLOADS_MAX_BYTES:
# the browser PUTs each part straight to S3 with a URL this controller signed, reads each part's ETag from the
# answer (the bucket's CORS rule exposes it), and sends the list back here to complete. The app starts,
# completes and aborts uploads; the browser only PUTs parts. S3 aborts what is left unfinished after
# uploads.abortIncompleteUploadsAfterDays, and the daily sweep deletes every file after UPLOADS_EXPIRE_DAYS.
#
# Routes (config/routes.rb): POST uploads/multipart/create, parts, complete, abort. The task role may read and
# write the bucket; no keys are configured (gem "aws-sdk-s3").
class MultipartUploadsController < ApplicationController
  # S3 takes 1 to 10,000 parts of at least 5 MiB (the last may be smaller); 100 MiB parts carry 6 GiB in 62.
  PART_SIZE = 100.megabytes
  MAX_PARTS = 10_000
  # How long a signed part URL lives; a slow connection needs each part's URL for one part's upload only.
  URL_EXPIRES_IN = 1.hour

  # before_action :authenticate_user!  (the app's own sign-in: only its users may upload)

  # The browser says what it will send; the app starts the upload and hands back a token naming it.
  def create
    byte_size = Integer(params.require(:byte_size))
    max_bytes = Integer(ENV.fetch("UPLOADS_MAX_BYTES"))
    return render(json: { error: "over #{max_bytes} bytes" }, status: 413) if byte_size > max_bytes
    return render(json: { error: "use a direct upload" }, status: :unprocessable_entity) if byte_size <= PART_SIZE

    key = ActiveStorage::Blob.generate_unique_secure_token
    filename = ActiveStorage::Filename.new(params.require(:filename))
    upload = s3.create_multipart_upload(
      bucket: bucket,
      key: key,
      content_type: params.require(:content_type),
      content_disposition: ActionDispatch::Http::ContentDisposition.format(disposition: "attachment", filename: filename.sanitized),
    )
    render json: { token: token_for(key, upload.upload_id, byte_size), part_size: PART_SIZE }
  end

  # URLs for the parts asked for, each signed for its exact length: S3 refuses a part of another size, so the
  # upload can never grow past the size create accepted.
  def parts
    upload = verified_upload
    last = (upload[:byte_size].to_f / PART_SIZE).ceil
    numbers = Array(params.require(:part_numbers)).map { |n| Integer(n) }
    return head(:unprocessable_entity) unless numbers.all? { |n| n.between?(1, [last, MAX_PARTS].min) }

    urls = numbers.index_with do |n|
      length = n == last ? upload[:byte_size] - (PART_SIZE * (last - 1)) : PART_SIZE
      presigner.presigned_url(
        :upload_part,
        bucket: bucket, key: upload[:key], upload_id: upload[:upload_id], part_number: n,
        content_length: length, whitelist_headers: ["content-length"], expires_in: URL_EXPIRES_IN.to_i,
      )
    end
    render json: { urls: urls }
  end

  # The browser's list of parts, with the ETag S3 gave each; S3 checks every one.
  def complete
    upload = verified_upload
    parts = params.require(:parts).map { |part| { part_number: Integer(part[:part_number]), etag: part.require(:etag) } }
    s3.complete_multipart_upload(
      bucket: bucket, key: upload[:key], upload_id: upload[:upload_id],
      multipart_upload: { parts: parts.sort_by { |part| part[:part_number] } },
    )
    # Record upload[:key] with the app's own model here: the file is the app's from now on, for
    # UPLOADS_EXPIRE_DAYS days.
    render json: { key: upload[:key] }
  end

  # The user gave up: the parts already sent are freed at once.
  def abort
    upload = verified_upload
    s3.abort_multipart_upload(bucket: bucket, key: upload[:key], upload_id: upload[:upload_id])
    head :no_content
  rescue Aws::S3::Errors::NoSuchUpload
    head :no_content
  end

  private

  def bucket = ENV.fetch("UPLOADS_BUCKET")
  def s3 = @s3 ||= Aws::S3::Client.new(region: ENV.fetch("AWS_REGION"))
  def presigner = Aws::S3::Presigner.new(client: s3)
  def verifier = Rails.application.message_verifier(:multipart_uploads)

  # The browser gets the upload only as a signed token, valid a day: it can neither name another key nor
  # touch another user's upload (add the user's id to the token where users must not share).
  def token_for(key, upload_id, byte_size)
    verifier.generate({ key: key, upload_id: upload_id, byte_size: byte_size }, expires_in: 1.day)
  end

  def verified_upload
    verifier.verify(params.require(:token)).symbolize_keys
  rescue ActiveSupport::MessageVerifier::InvalidSignature
    raise ActionController::BadRequest, "not an upload of this app"
  end
end
