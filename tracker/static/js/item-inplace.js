/* The project page's checklist, worked in place.
 *
 * Each row is compact (templates/projects/_item_macros.html). Without JavaScript its status
 * menu (a <details>) posts the chosen status and the server redirects back to the same page,
 * with its filters, at the item (#item-<id>); "Edit" leads to the item's page. With it:
 * - a status chosen in the menu, the row's editor and its comment form are sent with fetch;
 *   the server answers the item's row alone (asked with X-Requested-With), which replaces
 *   the old one: the scroll position, the filters and the keyboard focus stay where they
 *   were. A refused status (say, "blocked" without a reason) comes back with the editor open
 *   at the field to fill in;
 * - "Edit" opens the item's editor (assignee, due date, reason, comments) in its row, asking
 *   for the row with ?editor=1; "Close" asks for the compact row again;
 * - after a change, every part of the page that depends on it (health, progress, waiting
 *   on, the charts, recent changes: [data-live]) is fetched again (projects.summary) and
 *   swapped, and the result shows in #item-live, visible and read out.
 * Anything else (a conflict with someone else's change, an expired session, a lost
 * connection) falls back to the ordinary post, whose page explains it.
 */
(function () {
  "use strict";

  var live = document.getElementById("item-live");
  if (
    !live ||
    !window.fetch ||
    !window.FormData ||
    !Element.prototype.closest ||
    !("content" in document.createElement("template"))
  ) {
    return;
  }
  var summary = document.getElementById("project-summary");
  var HEADERS = { "X-Requested-With": "XMLHttpRequest", Accept: "text/html" };
  var hideTimer = null;

  function show(text, isError) {
    // Emptied first so that the same message twice in a row is still read out.
    live.textContent = "";
    live.classList.toggle("item-toast-error", Boolean(isError));
    window.clearTimeout(hideTimer);
    window.setTimeout(function () {
      live.textContent = text;
    }, 50);
    hideTimer = window.setTimeout(function () {
      live.textContent = "";
    }, 10000);
  }

  function parse(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  function replaceRow(row, html) {
    var fresh = parse(html).querySelector(".item-row");
    if (!fresh || fresh.id !== row.id) {
      throw new Error("no row in the answer");
    }
    row.replaceWith(fresh);
    return fresh;
  }

  function statusLabel(row) {
    var badge = row.querySelector(".item-status");
    return badge ? badge.textContent.trim() : "";
  }

  function errors(row) {
    return Array.prototype.map
      .call(row.querySelectorAll(".invalid-feedback, .item-editor .alert"), function (node) {
        return node.textContent.trim();
      })
      .join(" ");
  }

  function focusIn(row, preferredId) {
    var target =
      (preferredId && document.getElementById(preferredId)) ||
      row.querySelector(".is-invalid") ||
      row.querySelector(".item-editor select, .item-editor input:not([type=hidden]), .item-editor textarea") ||
      row.querySelector(".status-toggle") ||
      row.querySelector(".item-edit");
    if (target && row.contains(target)) {
      target.focus({ preventScroll: true });
    }
  }

  function flashRow(row) {
    row.classList.add("item-saved");
    window.setTimeout(function () {
      row.classList.remove("item-saved");
    }, 2000);
  }

  // A fragment of this site's HTML (a row, the summary); a refusal or an error rejects.
  function getHtml(url) {
    return fetch(url, { credentials: "same-origin", headers: HEADERS }).then(function (response) {
      if (!response.ok) {
        throw new Error("answered " + response.status);
      }
      return response.text();
    });
  }

  // The parts of the page that depend on the items, fetched again and swapped.
  function refreshSummary() {
    if (!summary || !summary.dataset.summaryUrl) {
      return;
    }
    getHtml(summary.dataset.summaryUrl)
      .then(function (html) {
        Array.prototype.forEach.call(parse(html).querySelectorAll("[data-live]"), function (part) {
          var old = document.querySelector('[data-live="' + part.dataset.live + '"]');
          if (!old) {
            return;
          }
          if (old.tagName === "DETAILS" && old.open) {
            part.open = true; // left as the reader had it
          }
          old.replaceWith(part);
        });
      })
      .catch(function () {
        // The row is right; the figures catch up when the page is next loaded.
      });
  }

  function fallback(form, submitter) {
    if (submitter && submitter.name) {
      var chosen = document.createElement("input");
      chosen.type = "hidden";
      chosen.name = submitter.name;
      chosen.value = submitter.value;
      form.appendChild(chosen);
    }
    HTMLFormElement.prototype.submit.call(form);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (
      !(form instanceof HTMLFormElement) ||
      !form.matches(".item-status-form, .item-form, .item-comment-form")
    ) {
      return;
    }
    var row = form.closest(".item-row");
    if (!row) {
      return; // the item page's forms: an ordinary post
    }
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") {
      return;
    }
    var submitter = event.submitter || null;
    var data = new FormData(form);
    if (submitter && submitter.name) {
      data.append(submitter.name, submitter.value);
    }
    var focused = row.contains(document.activeElement) ? document.activeElement.id : null;
    form.setAttribute("aria-busy", "true");
    // Once the server has answered, the change is made (or refused): never post it again.
    var answered = false;

    fetch(form.action, { method: "POST", body: data, credentials: "same-origin", headers: HEADERS })
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
        var fresh = replaceRow(row, answer.html);
        if (answer.result === "invalid") {
          focusIn(fresh, null);
          show(errors(fresh), true);
          return;
        }
        focusIn(fresh, focused);
        flashRow(fresh);
        if (answer.result === "unchanged") {
          show(live.dataset.unchanged);
        } else if (answer.result === "commented") {
          show(live.dataset.commented);
          refreshSummary();
        } else {
          show(live.dataset.saved + " " + statusLabel(fresh));
          refreshSummary();
        }
      })
      .catch(function () {
        form.removeAttribute("aria-busy");
        if (answered) {
          window.location.reload(); // saved, but no row to show: the page as it now is
        } else {
          fallback(form, submitter); // the ordinary post: a conflict, a lost session, no network
        }
      });
  });

  // "Edit" and "Close": the row asked for with its editor open, or compact again.
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    document.querySelectorAll("details.status-menu[open]").forEach(function (menu) {
      if (!target || !menu.contains(target)) {
        menu.open = false; // one menu open at a time; a click elsewhere closes it
      }
    });
    var link = target && target.closest("a.item-edit");
    if (!link || !link.dataset.rowUrl || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    var row = link.closest(".item-row");
    if (!row) {
      return;
    }
    event.preventDefault();
    if (link.getAttribute("aria-busy") === "true") {
      return;
    }
    link.setAttribute("aria-busy", "true");
    getHtml(link.dataset.rowUrl)
      .then(function (html) {
        var fresh = replaceRow(row, html);
        if (fresh.querySelector(".item-editor")) {
          focusIn(fresh, null);
        } else {
          var toggle = fresh.querySelector(".item-edit");
          if (toggle) {
            toggle.focus({ preventScroll: true });
          }
        }
      })
      .catch(function () {
        window.location.assign(link.href); // the item's page, or the list again
      });
  });

  // Escape closes an open status menu, back on its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !document.activeElement) {
      return;
    }
    var menu = document.activeElement.closest("details.status-menu[open]");
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
})();
