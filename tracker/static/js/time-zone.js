/* The sign-in form tells the browser's time zone (an IANA name such as "Europe/Paris"): a
 * user whose zone is not known yet gets it (tracker/auth/services.py, record_sign_in). Any
 * <input data-time-zone-guess> is filled in; without this script, or in a browser that
 * does not say, the field stays empty and nothing changes. */
(function () {
  "use strict";

  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    return;
  }
  var inputs = document.querySelectorAll("input[data-time-zone-guess]");
  Array.prototype.forEach.call(inputs, function (input) {
    input.value = zone;
  });
})();
