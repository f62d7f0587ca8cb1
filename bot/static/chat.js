// SafePassage web chat: POST /webchat/messages runs a turn; GET /webchat/messages fetches replies
// that come later (a slow turn, a counselor). Every text is rendered inert (textContent).
"use strict";

(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const exitButton = document.getElementById("quick-exit");

  function sessionId() {
    let id = sessionStorage.getItem("sp-session");
    if (!id) {
      id = crypto.randomUUID();
      sessionStorage.setItem("sp-session", id);
    }
    return id;
  }

  function quickExit() {
    // Leave at once, and leave nothing behind: storage, page content, and this page in history.
    try { sessionStorage.clear(); localStorage.clear(); } catch (e) { /* storage may be disabled */ }
    document.body.textContent = "";
    window.location.replace(exitButton.dataset.exitUrl || "https://www.google.com");
  }

  function addBubble(text, who) {
    const bubble = document.createElement("div");
    bubble.className = "bubble " + who;
    bubble.textContent = text;
    log.appendChild(bubble);
    log.scrollTop = log.scrollHeight;
    return bubble;
  }

  function addButtons(buttons) {
    const row = document.createElement("div");
    row.className = "buttons";
    for (const b of buttons) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = b.title;
      button.addEventListener("click", () => {
        row.remove();
        send(b.payload, b.title, true);
      });
      row.appendChild(button);
    }
    log.appendChild(row);
    log.scrollTop = log.scrollHeight;
  }

  let cursor = 0;
  const shown = new Set();

  function showMessages(messages) {
    for (const message of messages) {
      if (message.id !== null && message.id !== undefined) {
        if (shown.has(message.id)) continue;  // a reply already shown by the other request
        shown.add(message.id);
      }
      if (message.text) addBubble(message.text, "bot");
      if (message.buttons && message.buttons.length) addButtons(message.buttons);
    }
  }

  async function poll() {
    try {
      const query = new URLSearchParams({ session_id: sessionId(), after: String(cursor) });
      const response = await fetch("/webchat/messages?" + query.toString());
      if (response.ok) {
        const body = await response.json();
        showMessages(body.messages);
        cursor = Math.max(cursor, body.cursor || 0);
      }
    } catch (e) { /* offline for a moment: the next poll catches up */ }
  }

  // `payload` marks a button press: the gateway checks it against the buttons it offered;
  // typed text starting with "/" is read as plain words.
  async function send(text, shownText, payload) {
    addBubble(shownText || text, "user");
    const waiting = addBubble("…", "bot waiting");
    try {
      const response = await fetch("/webchat/messages", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          session_id: sessionId(), text: text, client_message_id: crypto.randomUUID(),
          language: navigator.language || "", payload: Boolean(payload), button: Boolean(payload),
        }),
      });
      const body = await response.json();
      waiting.remove();
      if (!response.ok) {
        addBubble(document.body.dataset.sendFailed + " " + (body.error || response.status), "bot error");
        return;
      }
      showMessages(body.messages);
      cursor = Math.max(cursor, body.cursor || 0);
    } catch (e) {
      waiting.remove();
      addBubble(document.body.dataset.offline, "bot error");
    }
  }

  // Later replies (a slow answer, a counselor) arrive by polling while the page is open.
  setInterval(() => { if (!document.hidden) poll(); }, 4000);

  exitButton.addEventListener("click", quickExit);
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") quickExit(); });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
