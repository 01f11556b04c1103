/* The project page's item forms, saved in place.
 *
 * Without JavaScript each form posts and the server redirects back to the same page, with
 * its filters, at the item (#item-<id>). With it, the form is sent with fetch and the server
 * answers the item's row alone (checklist.update, asked with X-Requested-With), which
 * replaces the old one: the scroll position, the filters and the keyboard focus stay where
 * they were, and the region #item-live announces the result. Anything else (a conflict with
 * someone else's change, an expired session, a lost connection) falls back to the ordinary
 * post, whose page explains it.
 */
(function () {
  "use strict";

  var live = document.getElementById("item-live");
  if (!live || !window.fetch || !window.FormData || !Element.prototype.closest) {
    return;
  }

  function announce(text) {
    // Emptied first so that the same message twice in a row is still read out.
    live.textContent = "";
    window.setTimeout(function () {
      live.textContent = text;
    }, 50);
  }

  function statusLabel(row) {
    var badge = row.querySelector(".item-status");
    return badge ? badge.textContent.trim() : "";
  }

  function errors(row) {
    return Array.prototype.map
      .call(row.querySelectorAll(".invalid-feedback"), function (node) {
        return node.textContent.trim();
      })
      .join(" ");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("item-form")) {
      return;
    }
    var row = form.closest(".item-row");
    if (!row) {
      return; // the item page's form: an ordinary post
    }
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") {
      return;
    }
    var focused = form.contains(document.activeElement) ? document.activeElement.id : null;
    form.setAttribute("aria-busy", "true");
    // Once the server has answered, the change is made (or refused): never post it again.
    var answered = false;

    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest", Accept: "text/html" },
    })
      .then(function (response) {
        if (response.status !== 200 && response.status !== 422) {
          throw new Error("answered " + response.status);
        }
        answered = true;
        return response.text().then(function (html) {
          return { result: response.headers.get("X-Item-Result"), html: html };
        });
      })
      .then(function (answer) {
        var template = document.createElement("template");
        template.innerHTML = answer.html;
        var fresh = template.content.querySelector(".item-row");
        if (!fresh || fresh.id !== row.id) {
          throw new Error("no row in the answer");
        }
        row.replaceWith(fresh);
        var again = focused && document.getElementById(focused);
        if (again) {
          again.focus({ preventScroll: true });
        }
        if (answer.result === "invalid") {
          announce(errors(fresh));
        } else if (answer.result === "unchanged") {
          announce(live.dataset.unchanged);
        } else {
          announce(live.dataset.saved + " " + statusLabel(fresh));
        }
      })
      .catch(function () {
        form.removeAttribute("aria-busy");
        if (answered) {
          window.location.reload(); // saved, but no row to show: the page as it now is
        } else {
          form.submit(); // the ordinary post: a conflict, a lost session or no connection
        }
      });
  });
})();
