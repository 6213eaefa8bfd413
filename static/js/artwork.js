// Refuse an artwork file over the limit in the page, before a long upload the server would
// answer with 413 and the artist would lose what they typed. The server still checks.
document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("input[type=file][data-max-bytes]")) {
    const error = document.getElementById(`${input.id}-error`);
    const limit = Number(input.dataset.maxBytes);
    input.addEventListener("change", () => {
      const file = input.files[0];
      const tooBig = Boolean(file) && file.size > limit;
      if (tooBig) {
        const size = (file.size / 1024 / 1024).toFixed(1);
        error.textContent = `“${file.name}” is ${size} MB; artwork must be 5 MB or smaller. Choose a smaller file.`;
        input.value = "";
      }
      error.hidden = !tooBig;
      input.setAttribute("aria-invalid", String(tooBig));
      input.closest(".field").classList.toggle("has-error", tooBig);
    });
  }
});
