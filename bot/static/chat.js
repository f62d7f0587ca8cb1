// SafePassage web chat: talks to POST /webchat/messages; every text is rendered inert (textContent).
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
        send(b.payload, b.title);
      });
      row.appendChild(button);
    }
    log.appendChild(row);
    log.scrollTop = log.scrollHeight;
  }

  async function send(text, shown) {
    addBubble(shown || text, "user");
    const waiting = addBubble("…", "bot waiting");
    try {
      const response = await fetch("/webchat/messages", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ session_id: sessionId(), text: text }),
      });
      const body = await response.json();
      waiting.remove();
      if (!response.ok) {
        addBubble("Sorry, that message could not be sent: " + (body.error || response.status), "bot error");
        return;
      }
      for (const message of body.messages) {
        if (message.text) addBubble(message.text, "bot");
        if (message.buttons && message.buttons.length) addButtons(message.buttons);
      }
    } catch (e) {
      waiting.remove();
      addBubble("Sorry, I could not reach the server. Please try again. If you are in danger, call 112 or 911.", "bot error");
    }
  }

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
