// The counselor console's shared script (loaded on every console page; no inline scripts).
// `SafePassageConsole.post` sends JSON with the session's CSRF token; the queue and chat pages
// build on it.
"use strict";

window.SafePassageConsole = (function () {
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRF-Token": csrfToken()
      },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      if (response.status === 401) {
        window.location.assign("/console/login");
      }
      return response;
    });
  }

  function socketUrl(path) {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + window.location.host + path;
  }

  return { csrfToken: csrfToken, post: post, socketUrl: socketUrl };
})();
