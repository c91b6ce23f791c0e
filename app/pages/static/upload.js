"use strict";
// A file over the import's limit is stopped before its upload starts (the server would refuse
// it too, but only after the browser had sent it all), with a message saying why.
(function () {
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(input => {
    const limit = Number(input.dataset.maxBytes);
    input.addEventListener("change", () => {
      const file = input.files && input.files[0];
      input.setCustomValidity(file && file.size > limit
        ? "The file is " + file.size.toLocaleString("en") + " bytes: hot-list files take at most " +
          limit.toLocaleString("en") + " bytes here. Split it, or import it with lookout import-hotlist."
        : "");
      if (file && file.size > limit) input.reportValidity();
    });
  });
})();
