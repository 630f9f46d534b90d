/* casegraph home and search pages: the header's back button, nothing else. */
(function () {
  "use strict";
  var back = document.getElementById("nav-back");
  if (back) back.addEventListener("click", function () { window.history.back(); });
})();
