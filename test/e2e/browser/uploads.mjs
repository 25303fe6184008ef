// The page of the browser test (test/e2e/browser-upload.ts), served by test/e2e/rails-side.ts from the app's
// origin. It uploads as a Rails app's users do: Active Storage's own DirectUpload (one presigned PUT), then a
// multipart upload whose parts the browser PUTs to presigned URLs, reading each part's ETag from the answer,
// then downloads both through presigned GETs. window.uploadAll() returns what happened, errors included.
import { DirectUpload } from "/assets/activestorage.esm.js";

const MiB = 1024 * 1024;

/** Bytes that differ from file to file (xorshift), so a part sent twice or out of order shows in the hash. */
function bytes(size, seed) {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

async function sha256(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const csrfToken = () => document.querySelector("meta[name=csrf-token]").content;

async function post(path, body) {
  const res = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

function directUpload(file) {
  return new Promise((resolve, reject) => {
    new DirectUpload(file, "/rails/active_storage/direct_uploads").create((error, blob) =>
      error ? reject(new Error(String(error))) : resolve(blob),
    );
  });
}

async function multipartUpload(file) {
  const { token, part_size: partSize } = await post("/uploads/multipart/create", {
    filename: file.name,
    content_type: file.type,
    byte_size: file.size,
  });
  const numbers = Array.from({ length: Math.ceil(file.size / partSize) }, (_, i) => i + 1);
  const { urls } = await post("/uploads/multipart/parts", { token, part_numbers: numbers });
  const parts = [];
  try {
    for (const n of numbers) {
      const res = await fetch(urls[n], { method: "PUT", body: file.slice((n - 1) * partSize, n * partSize) });
      if (!res.ok) throw new Error(`part ${n}: ${res.status} ${await res.text()}`);
      // Readable only if the bucket's CORS rule exposes it.
      const etag = res.headers.get("ETag");
      if (!etag) throw new Error(`part ${n}: the answer's ETag is not exposed to the page`);
      parts.push({ part_number: n, etag });
    }
  } catch (error) {
    await post("/uploads/multipart/abort", { token });
    throw error;
  }
  const { key } = await post("/uploads/multipart/complete", { token, parts });
  return { key, parts };
}

async function download(key, filename) {
  const res = await fetch(
    `/uploads/download?key=${encodeURIComponent(key)}&filename=${encodeURIComponent(filename)}`,
  );
  const { url } = await res.json();
  const file = await fetch(url);
  return { status: file.status, sha256: await sha256(await file.blob()) };
}

/** Runs a step; its error becomes part of the result instead of ending the run. */
async function step(run) {
  try {
    return await run();
  } catch (error) {
    return { error: String(error && error.message ? error.message : error) };
  }
}

window.uploadAll = async () => {
  const small = new File([bytes(1.5 * MiB, 1)], "résumé 2026.pdf", { type: "application/pdf" });
  const large = new File([bytes(11 * MiB, 2)], "scan.tiff", { type: "image/tiff" });
  const direct = await step(async () => {
    const blob = await directUpload(small);
    return { blob, sha256: await sha256(small), download: await download(blob.key, small.name) };
  });
  const multipart = await step(async () => {
    const uploaded = await multipartUpload(large);
    return { ...uploaded, sha256: await sha256(large), download: await download(uploaded.key, large.name) };
  });
  // A header the bucket's rule does not allow: the browser must refuse to send the request at all.
  const refused = await step(async () => {
    const { token } = await post("/uploads/multipart/create", {
      filename: "refused.bin",
      content_type: "application/octet-stream",
      byte_size: 1,
    });
    const { urls } = await post("/uploads/multipart/parts", { token, part_numbers: [1] });
    const res = await fetch(urls[1], { method: "PUT", headers: { "Cache-Control": "no-store" }, body: "x" });
    return { status: res.status };
  });
  return { direct, multipart, refused };
};
