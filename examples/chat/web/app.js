// The two flows of the Convex docs page "Serving Files", in a plain module
// page (no build step), against convex-storage-emulator on another origin.
//
// The emulator's cloud origin (storage, admin; VITE_CONVEX_URL in an app) comes from
// ?emulator=…, else http://127.0.0.1:3210; its site origin (HTTP actions;
// VITE_CONVEX_SITE_URL) from ?site=…, else http://127.0.0.1:3211.
// Step 1 of the upload flow would be the app's generateUploadUrl mutation;
// without a Convex backend the page asks the emulator's admin route for the
// same kind of URL.
const emulator = new URLSearchParams(location.search).get("emulator") ?? "http://127.0.0.1:3210";
const site = new URLSearchParams(location.search).get("site") ?? "http://127.0.0.1:3211";
const $ = (id) => document.getElementById(id);
$("origin").textContent = emulator;

function showImage(container, src, onDone) {
  const img = document.createElement("img");
  img.alt = "uploaded image";
  img.addEventListener("load", () => onDone(null, img));
  img.addEventListener("error", () => onDone(new Error(`could not load ${src}`), img));
  img.src = src;
  container.replaceChildren(img);
}

/**
 * Runs one flow on submit: `upload(file)` stores the picked file and returns
 * `{ storageId, src }`; the image at `src` is then shown. The status line
 * carries data-state ("loaded" or "error") and data-storage-id for tests.
 */
function flow(name, upload) {
  $(`${name}-form`).addEventListener("submit", async (event) => {
    event.preventDefault();
    const selectedImage = $(`${name}-input`).files[0];
    if (!selectedImage) return;
    const status = $(`${name}-status`);
    try {
      const { storageId, src } = await upload(selectedImage);
      status.textContent = `stored ${storageId}`;
      status.dataset.storageId = storageId;
      showImage($(`${name}-result`), src, (error) => {
        status.dataset.state = error ? "error" : "loaded";
        if (error) status.textContent = error.message;
      });
    } catch (error) {
      status.textContent = String(error);
      status.className = "status error";
      status.dataset.state = "error";
    }
  });
}

// (a) The 3-step upload.
flow("upload", async (selectedImage) => {
  // Step 1: Get a short-lived upload URL
  const { uploadUrl: postUrl } = await (await fetch(`${emulator}/_emulator/upload-url`, { method: "POST" })).json();
  // Step 2: POST the file to the URL
  const result = await fetch(postUrl, {
    method: "POST",
    headers: { "Content-Type": selectedImage.type },
    body: selectedImage,
  });
  const json = await result.json();
  if (!result.ok) throw new Error(`Upload failed: ${JSON.stringify(json)}`);
  const { storageId } = json;
  // Step 3: the app would save storageId with a mutation; its query's getUrl gives this URL.
  const { url } = await (await fetch(`${emulator}/_emulator/files/${storageId}`)).json();
  return { storageId, src: url };
});

// (b) POST the file to the HTTP action, then show it through GET /getImage.
flow("action", async (selectedImage) => {
  const sendImageUrl = new URL(`${site}/sendImage`);
  sendImageUrl.searchParams.set("author", "Browser");
  const sent = await fetch(sendImageUrl, {
    method: "POST",
    headers: { "Content-Type": selectedImage.type },
    body: selectedImage,
  });
  if (!sent.ok) throw new Error(`sendImage failed: ${sent.status}`);
  // The app would read storageId from its messages query; here the newest stored file is it.
  const { files } = await (await fetch(`${emulator}/_emulator/files`)).json();
  const storageId = files.at(-1).storageId;
  const getImageUrl = new URL(`${site}/getImage`);
  getImageUrl.searchParams.set("storageId", storageId);
  return { storageId, src: getImageUrl.href };
});

// A missing file: the <img> fails to load (404) and the page keeps working.
$("missing-button").addEventListener("click", () => {
  const status = $("missing-status");
  const src = `${emulator}/api/storage/00000000-0000-4000-8000-000000000000`;
  showImage($("missing-result"), src, (error) => {
    status.dataset.state = error ? "error" : "loaded";
    status.textContent = error ? "Image not found" : "loaded";
  });
});
