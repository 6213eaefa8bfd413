// New campaigns start in the artist's own time zone rather than UTC.
document.addEventListener("DOMContentLoaded", () => {
  const select = document.querySelector("select[data-local-default]");
  if (!select) return;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && [...select.options].some((option) => option.value === zone)) select.value = zone;
});
