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

// ---- Live queue and conversation pages --------------------------------------------------------
// Everything a user typed is put on the page with textContent: it is shown, never run.
(function () {
  var C = window.SafePassageConsole;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function setLive(text, ok) {
    var live = document.getElementById("live");
    if (live) { live.textContent = text; live.className = "live " + (ok ? "on" : "off"); }
  }

  // One websocket per page; it reconnects, and the page reloads what it missed.
  function connect(onSignal, onOpen) {
    var retry = 1000;
    function open() {
      var socket = new WebSocket(C.socketUrl("/console/ws"));
      socket.onopen = function () { retry = 1000; setLive("Live", true); if (onOpen) { onOpen(); } };
      socket.onmessage = function (event) {
        var signal;
        try { signal = JSON.parse(event.data); } catch (e) { return; }
        onSignal(signal);
      };
      socket.onclose = function () {
        setLive("Reconnecting…", false);
        setTimeout(open, retry);
        retry = Math.min(retry * 2, 15000);
      };
    }
    open();
  }

  function showError(text) {
    var box = document.getElementById("error") || document.getElementById("alerts");
    if (box) { box.textContent = text || ""; }
  }

  function answer(response) {
    if (response.ok) { showError(""); return response.json(); }
    return response.json().then(function (body) {
      showError(body.error || ("Error " + response.status));
      throw new Error(body.error || String(response.status));
    }, function () { showError("Error " + response.status); throw new Error(String(response.status)); });
  }

  // ---- queue ----
  function renderQueue(section, entries) {
    section.textContent = "";
    if (!entries.length) { section.appendChild(el("p", "empty", "Nobody is waiting.")); return; }
    var table = el("table", "queue");
    var head = el("thead"); var headRow = el("tr");
    ["", "Topic", "Language", "Country", "Waiting", "State", ""].forEach(function (t) { headRow.appendChild(el("th", null, t)); });
    head.appendChild(headRow); table.appendChild(head);
    var body = el("tbody");
    entries.forEach(function (e) {
      var row = el("tr", e.urgent ? "urgent" : "");
      row.setAttribute("data-id", String(e.id));
      var tags = el("td");
      if (e.urgent) { tags.appendChild(el("span", "tag urgent", "Urgent")); }
      if (e.referred) { tags.appendChild(el("span", "tag referred", "Referral")); }
      if (e.escalated) { tags.appendChild(el("span", "tag escalated", "Overdue")); }
      row.appendChild(tags);
      row.appendChild(el("td", null, e.topic));
      row.appendChild(el("td", null, e.language));
      row.appendChild(el("td", null, e.country || "—"));
      row.appendChild(el("td", null, e.waiting_minutes + " min"));
      row.appendChild(el("td", null, e.status === "queued" ? "Waiting" : "With " + (e.counselor || "a counselor")));
      var open = el("td"); var link = el("a", null, "Open");
      link.href = "/console/conversations/" + encodeURIComponent(e.id);
      open.appendChild(link); row.appendChild(open);
      body.appendChild(row);
    });
    table.appendChild(body); section.appendChild(table);
  }

  function queuePage(section) {
    function refresh() {
      fetch("/console/api/queue", { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(answer).then(function (data) {
          renderQueue(section, data.queue);
          var online = document.getElementById("online");
          if (online) { online.textContent = data.online + " of your agency online."; }
        }).catch(function () {});
    }
    connect(function (signal) {
      if (signal.type === "queue") { refresh(); }
      if (signal.type === "alert") {
        var alerts = document.getElementById("alerts");
        if (alerts) {
          alerts.textContent = signal.kind === "urgent" ? "An urgent request is waiting." :
            "A request has waited too long without a counselor.";
        }
        refresh();
      }
    }, refresh);
    setInterval(refresh, 60000);  // waiting times move on even when nothing happens
  }

  // ---- one conversation ----
  function chatPage(section) {
    var id = section.getAttribute("data-handoff");
    var base = "/console/api/conversations/" + encodeURIComponent(id);
    var list = document.getElementById("transcript");
    var cursor = 0;
    var loading = false;

    function line(sender, who, text, earlier, note) {
      var item = el("li", "line " + sender + (earlier ? " earlier" : ""));
      item.appendChild(el("span", "who", who));
      item.appendChild(el("span", "text", text));
      if (note) { item.appendChild(el("span", "withheld", "(" + note + ")")); }
      list.appendChild(item);
    }

    function load() {
      if (loading) { return; }
      loading = true;
      fetch(base + "/lines?after=" + cursor, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(answer).then(function (data) {
          if (cursor === 0) {
            list.textContent = "";
            if (data.history_hidden) {
              line("system", "SafePassage", "The earlier conversation was not shared with your agency.", true);
            } else if (data.earlier === null) {
              line("system", "SafePassage", "The earlier conversation with the assistant could not be loaded.", true);
            } else if (data.earlier.length) {
              line("system", "SafePassage", "Earlier, with the assistant:", true);
              data.earlier.forEach(function (l) { line(l.sender, l.who, l.text, true, l.note); });
              line("system", "SafePassage", "With counselors:", true);
            }
          }
          data.lines.forEach(function (l) { line(l.sender, l.who, l.text, false); });
          cursor = data.cursor;
          if (data.status !== section.getAttribute("data-status")) { window.location.reload(); }
          list.scrollTop = list.scrollHeight;
        }).catch(function () {}).then(function () { loading = false; });
    }

    function act(path, body, after) {
      return C.post(base + path, body).then(answer).then(function () { if (after) { after(); } load(); })
        .catch(function () {});
    }

    var claim = document.getElementById("claim");
    if (claim) { claim.addEventListener("click", function () { act("/claim", {}, function () { window.location.reload(); }); }); }
    var reply = document.getElementById("reply-form");
    if (reply) {
      reply.addEventListener("submit", function (event) {
        event.preventDefault();
        var box = document.getElementById("reply");
        var text = box.value;
        if (!text.trim()) { return; }
        act("/messages", { text: text }, function () { box.value = ""; });
      });
      var canned = document.getElementById("canned");
      canned.addEventListener("change", function () {
        if (canned.value) { document.getElementById("reply").value = canned.value; canned.value = ""; }
      });
    }
    var note = document.getElementById("note-form");
    if (note) {
      note.addEventListener("submit", function (event) {
        event.preventDefault();
        var box = document.getElementById("note");
        act("/notes", { text: box.value }, function () { box.value = ""; });
      });
    }
    var close = document.getElementById("close-form");
    if (close) {
      close.addEventListener("submit", function (event) {
        event.preventDefault();
        act("/close", { outcome: document.getElementById("outcome").value }, function () { window.location.reload(); });
      });
    }
    var toUser = document.getElementById("transfer-user-form");
    if (toUser) {
      toUser.addEventListener("submit", function (event) {
        event.preventDefault();
        act("/transfer", { to_user: document.getElementById("to-user").value }, function () { window.location.reload(); });
      });
    }
    var toAgency = document.getElementById("transfer-agency-form");
    if (toAgency) {
      toAgency.addEventListener("submit", function (event) {
        event.preventDefault();
        act("/transfer", {
          to_agency: document.getElementById("to-agency").value,
          note: document.getElementById("referral-note").value,
          share_history: document.getElementById("share-history").checked
        }, function () { window.location.assign("/console"); });
      });
    }
    connect(function (signal) {
      if (signal.type === "chat" && String(signal.handoff_id) === String(id)) { load(); }
      if (signal.type === "queue") { load(); }
    }, load);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var queue = document.querySelector('[data-live="queue"]');
    if (queue) { queuePage(queue); }
    var chat = document.getElementById("chat");
    if (chat) { chatPage(chat); }
  });
})();
