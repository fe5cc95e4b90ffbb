// The Realtime inspector page: reads the server-sent event feed at /inspector/feed and draws
// the sockets, the topics with their presence and the message tail; sends broadcasts through
// POST /inspector/broadcast. No framework: every element is built with textContent, so no
// payload is ever parsed as HTML.
"use strict";

(() => {
  const TAIL_LIMIT = 1000; // entries kept in memory (and drawn) at most
  const RATE_WINDOW = 10; // seconds over which message rates are averaged
  const HIDDEN_BY_DEFAULT = new Set(["control", "reply"]);

  const apikey = new URLSearchParams(location.search).get("apikey");
  const $ = (id) => document.getElementById(id);

  const view = {
    entries: [], // tail entries, oldest first
    held: 0, // entries that arrived while paused
    paused: false,
    skipped: 0,
    lastSnapshot: null,
    arrivals: new Map(), // topic -> arrival times (seconds) within the rate window
  };

  // ------------------------------------------------------------------ helpers

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name.startsWith("data-")) node.setAttribute(name, String(value));
      else node[name] = value;
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function clock(seconds) {
    const date = new Date(seconds * 1000);
    const pad = (n, width = 2) => String(n).padStart(width, "0");
    return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
      `.${pad(date.getMilliseconds(), 3)}`;
  }

  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    if (s < 60) return `${s} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
    return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  }

  function withKey(path) {
    return apikey ? `${path}?apikey=${encodeURIComponent(apikey)}` : path;
  }

  function rate(topic, now) {
    const times = view.arrivals.get(topic) || [];
    const recent = times.filter((t) => t > now - RATE_WINDOW);
    view.arrivals.set(topic, recent);
    return recent.length / RATE_WINDOW;
  }

  function rateText(perSecond) {
    return `${perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond)} msg/s`;
  }

  // ------------------------------------------------------------------ snapshot

  function drawSockets(snapshot) {
    const list = $("sockets");
    list.replaceChildren(...snapshot.sockets.map((socket) => el("li",
      { class: "card", "data-socket": socket.number, "data-role": socket.role },
      el("div", { class: "card-title" },
        el("strong", {}, `#${socket.number}`),
        el("span", { class: "badge" }, `vsn ${socket.vsn}`),
        el("span", { class: "badge", "data-field": "role" }, `role ${socket.role ?? "?"}`),
        socket.sub ? el("span", { class: "badge" }, `sub ${socket.sub}`) : null,
        el("span", { class: "meta" },
          `connected ${clock(socket.connected_at)} (${duration(snapshot.now - socket.connected_at)})`),
        socket.expires_at ? el("span", { class: "meta" },
          `token expires in ${duration(socket.expires_at - snapshot.now)}`) : null),
      socket.channels.length
        ? el("ul", { class: "channels" }, ...socket.channels.map(drawChannel))
        : el("p", { class: "empty" }, "no channel joined"))));
    $("socket-count").textContent = snapshot.sockets.length;
    $("sockets-empty").hidden = snapshot.sockets.length > 0;
  }

  function drawChannel(channel) {
    const flags = [
      channel.private ? el("span", { class: "badge private" }, "private") : null,
      channel.presence_enabled
        ? el("span", { class: "badge", "data-field": "presence-key" },
          `presence key ${channel.presence_key}`)
        : null,
      channel.broadcast_self ? el("span", { class: "badge" }, "self") : null,
      channel.broadcast_ack ? el("span", { class: "badge" }, "ack") : null,
      channel.role ? el("span", { class: "badge" }, `role ${channel.role}`) : null,
      channel.sub ? el("span", { class: "badge" }, `sub ${channel.sub}`) : null,
    ];
    const bindings = channel.postgres_changes.map((binding) => el("li",
      { "data-binding": binding.id },
      `${binding.event ?? "*"} ${binding.schema ?? "public"}.${binding.table ?? "*"}` +
      (binding.filter ? ` where ${binding.filter}` : "")));
    return el("li", { class: "channel", "data-topic": channel.topic, "data-role": channel.role },
      el("div", { class: "card-title" }, el("strong", {}, channel.topic), ...flags),
      bindings.length ? el("ul", { class: "bindings" }, ...bindings) : null,
      channel.problems.length
        ? el("p", { class: "meta" }, `join payload problems: ${channel.problems.join("; ")}`)
        : null);
  }

  function drawTopics(snapshot) {
    const list = $("topics");
    list.replaceChildren(...snapshot.topics.map((topic) => {
      const presences = Object.entries(topic.presence).map(([key, group]) => el("li",
        { "data-presence-key": key },
        el("strong", {}, key), " ",
        el("span", { class: "meta" }, group.metas.map((meta) => {
          const shown = { ...meta };
          delete shown.phx_ref;
          delete shown.phx_ref_prev;
          return JSON.stringify(shown);
        }).join(" · "))));
      return el("li", { class: "card", "data-topic": topic.topic, "data-private": topic.private },
        el("div", { class: "card-title" },
          el("strong", {}, topic.topic),
          topic.private ? el("span", { class: "badge private" }, "private") : null,
          el("span", { class: "meta" },
            `sockets ${topic.members.map((n) => `#${n}`).join(", ")}`),
          el("span", { class: "badge rate", "data-field": "rate" },
            rateText(rate(topic.topic, snapshot.now)))),
        presences.length
          ? el("ul", { class: "presences" }, ...presences)
          : el("p", { class: "empty" }, "no presence"));
    }));
    $("topic-count").textContent = snapshot.topics.length;
    $("topics-empty").hidden = snapshot.topics.length > 0;

    const select = $("tail-topic");
    const chosen = select.value;
    const names = new Set(snapshot.topics.map((topic) => topic.topic));
    for (const entry of view.entries) if (entry.topic) names.add(entry.topic);
    if (chosen) names.add(chosen);
    select.replaceChildren(el("option", { value: "" }, "all topics"),
      ...[...names].sort().map((name) => el("option", { value: name }, name)));
    select.value = chosen;
  }

  function drawTotals(snapshot) {
    const totals = snapshot.totals;
    let all = 0;
    for (const topic of view.arrivals.keys()) all += rate(topic, snapshot.now);
    $("totals").textContent = `${totals.frames_in} frames in · ${totals.frames_out} out · ` +
      `${rateText(all)}` +
      (totals.malformed_frames ? ` · ${totals.malformed_frames} malformed` : "") +
      (totals.oversized_payloads ? ` · ${totals.oversized_payloads} oversized` : "") +
      (totals.slow_consumers ? ` · ${totals.slow_consumers} slow sockets dropped` : "");
  }

  function onSnapshot(snapshot) {
    view.lastSnapshot = snapshot;
    drawSockets(snapshot);
    drawTopics(snapshot);
    drawTotals(snapshot);
  }

  // ------------------------------------------------------------------ tail

  function visible(entry) {
    const topic = $("tail-topic").value;
    if (topic && entry.topic !== topic) return false;
    if (HIDDEN_BY_DEFAULT.has(entry.kind) && !$("tail-control").checked) return false;
    const text = $("tail-filter").value.trim().toLowerCase();
    if (!text) return true;
    const haystack = `${entry.topic ?? ""} ${entry.event ?? ""} ${entry.subject ?? ""} ` +
      `${entry.kind} ${entry.payload}`;
    return haystack.toLowerCase().includes(text);
  }

  function drawEntry(entry) {
    const unnamed = entry.recipients - entry.sockets.length;
    const who = (entry.sockets.map((n) => `#${n}`).join(", ") || "?") +
      (unnamed > 0 ? ` and ${unnamed} more` : "");
    const arrow = entry.dir === "in" ? "→" : "←";
    const route = entry.dir === "in" ? `from ${who}` : `to ${who}`;
    return el("li", {
      class: "msg", "data-kind": entry.kind, "data-topic": entry.topic, "data-seq": entry.seq,
      "data-dir": entry.dir, title: `${entry.size} bytes`,
    },
      el("span", { class: "time" }, clock(entry.at)),
      el("span", { class: "dir", "aria-label": entry.dir }, arrow),
      el("span", { class: "head" },
        el("span", { class: "kind" }, entry.kind), " ",
        entry.topic ?? "", " ",
        el("span", { class: "event" }, entry.subject ? `${entry.event} ${entry.subject}` :
          entry.event ?? ""), " ",
        el("span", { class: "meta" }, route)),
      el("pre", { class: "payload" }, entry.payload));
  }

  function drawTail() {
    const list = $("tail");
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.replaceChildren(...view.entries.filter(visible).map(drawEntry));
    if (atBottom) list.scrollTop = list.scrollHeight;
    drawNote();
  }

  function drawNote() {
    const parts = [];
    if (view.paused && view.held) parts.push(`${view.held} new while paused`);
    if (view.skipped) parts.push(`${view.skipped} messages skipped: the server keeps a bounded ` +
      "record and this page fell behind");
    $("tail-note").hidden = parts.length === 0;
    $("tail-note").textContent = parts.join(" · ");
  }

  function onMessages(batch) {
    const now = Date.now() / 1000;
    for (const entry of batch.entries) {
      if (!entry.topic) continue;
      const times = view.arrivals.get(entry.topic) || [];
      times.push(now);
      view.arrivals.set(entry.topic, times);
    }
    view.skipped += batch.skipped;
    view.entries.push(...batch.entries);
    if (view.entries.length > TAIL_LIMIT) view.entries.splice(0, view.entries.length - TAIL_LIMIT);
    if (view.paused) {
      view.held += batch.entries.length;
      drawNote();
    } else {
      drawTail();
    }
  }

  // ------------------------------------------------------------------ feed

  function connect() {
    const source = new EventSource(withKey("/inspector/feed"));
    const status = $("status");
    source.addEventListener("open", () => {
      // A (re)connected feed starts again with the server's recent backlog.
      view.entries = [];
      view.skipped = 0;
      status.dataset.state = "live";
      status.textContent = "live";
    });
    source.addEventListener("error", () => {
      status.dataset.state = source.readyState === EventSource.CLOSED ? "down" : "connecting";
      status.textContent = source.readyState === EventSource.CLOSED
        ? "disconnected (reload to retry)" : "reconnecting…";
    });
    source.addEventListener("snapshot", (event) => onSnapshot(JSON.parse(event.data)));
    source.addEventListener("messages", (event) => onMessages(JSON.parse(event.data)));
  }

  // ------------------------------------------------------------------ controls

  function bindControls() {
    $("tail-pause").addEventListener("click", (event) => {
      view.paused = !view.paused;
      event.currentTarget.setAttribute("aria-pressed", String(view.paused));
      event.currentTarget.textContent = view.paused ? "Resume" : "Pause";
      if (!view.paused) {
        view.held = 0;
        drawTail();
      }
    });
    $("tail-clear").addEventListener("click", () => {
      view.entries = [];
      view.held = 0;
      view.skipped = 0;
      drawTail();
    });
    for (const id of ["tail-topic", "tail-filter", "tail-control"]) {
      $(id).addEventListener("input", drawTail);
    }
    $("send").addEventListener("submit", sendBroadcast);
  }

  async function sendBroadcast(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const result = $("send-result");
    let payload;
    try {
      payload = JSON.parse(form.payload.value);
    } catch (error) {
      result.dataset.ok = "false";
      result.textContent = `payload is not JSON: ${error.message}`;
      return;
    }
    const headers = { "Content-Type": "application/json" };
    if (apikey) headers.apikey = apikey;
    try {
      const response = await fetch("/inspector/broadcast", {
        method: "POST",
        headers,
        body: JSON.stringify({
          topic: form.topic.value.trim(),
          event: form.event.value.trim(),
          payload,
          private: form.private.checked,
        }),
      });
      const body = await response.json();
      result.dataset.ok = String(response.ok);
      result.textContent = response.ok
        ? `delivered to ${body.delivered} channel${body.delivered === 1 ? "" : "s"}`
        : `refused (${response.status}): ${body.message}`;
    } catch (error) {
      result.dataset.ok = "false";
      result.textContent = `not sent: ${error.message}`;
    }
  }

  bindControls();
  connect();
})();
