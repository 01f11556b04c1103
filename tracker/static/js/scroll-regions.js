/* Tables wider than the screen scroll sideways inside their .table-responsive wrapper. A
 * wrapper that scrolls is made reachable with the keyboard (tabindex=0, so the arrow keys
 * scroll it) and named after its table or the heading above it, as a group (not a region:
 * the section around it may be a landmark of that name already); it goes back to plain when
 * the window is wide enough again. */
(function () {
  "use strict";

  function nameOf(wrapper) {
    var table = wrapper.querySelector("table");
    if (table && table.getAttribute("aria-label")) {
      return table.getAttribute("aria-label");
    }
    if (table && table.caption) {
      return table.caption.textContent.trim();
    }
    // The nearest heading before the wrapper, among its previous siblings or its ancestors'.
    for (var node = wrapper; node && node !== document.body; node = node.parentElement) {
      for (var sibling = node.previousElementSibling; sibling; sibling = sibling.previousElementSibling) {
        var heading = /^H[1-6]$/.test(sibling.tagName) ? sibling : sibling.querySelector("h1, h2, h3, h4, h5, h6");
        if (heading) {
          return heading.textContent.trim();
        }
      }
    }
    return document.title;
  }

  function update() {
    var wrappers = document.querySelectorAll(".table-responsive");
    Array.prototype.forEach.call(wrappers, function (wrapper) {
      var scrolls = wrapper.scrollWidth > wrapper.clientWidth + 1;
      if (scrolls && !wrapper.hasAttribute("tabindex")) {
        wrapper.setAttribute("tabindex", "0");
        wrapper.setAttribute("role", "group");
        wrapper.setAttribute("aria-label", nameOf(wrapper));
        wrapper.dataset.scrollRegion = "1";
      } else if (!scrolls && wrapper.dataset.scrollRegion) {
        wrapper.removeAttribute("tabindex");
        wrapper.removeAttribute("role");
        wrapper.removeAttribute("aria-label");
        delete wrapper.dataset.scrollRegion;
      }
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(update, 150);
  });
  update();
})();
