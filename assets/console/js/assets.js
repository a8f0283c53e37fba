// The server injects a manifest (plain asset path → content-hashed URL) into
// index.html as <script id="kefu-assets" type="application/json">.

let manifest = null;

/** Hashed URL for a plain asset path; the plain path if the manifest lacks it. */
export function assetUrl(path) {
  if (manifest === null) {
    try {
      const el = document.getElementById('kefu-assets');
      manifest = el ? JSON.parse(el.textContent || '{}') : {};
    } catch {
      manifest = {};
    }
  }
  return manifest[path] || path;
}
