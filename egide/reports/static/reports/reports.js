/* Égide — reporting pages: progressive enhancement only, every page works without this file.
 *
 * Behaviours, each driven by data attributes of the server-rendered HTML:
 *  1. proof of work: input[name=pow_challenge][data-pow-bits] + input[name=pow_nonce], status [data-pow-status]
 *     (computed in slices of about 12 ms from page load, so the page stays responsive);
 *  2. single submit: form[data-submit-once], button[data-busy-text];
 *  3. fields by mode: radios name="mode" + [data-show-for-modes="confidential named"];
 *  4. copy: button[data-copy-target][data-copied-text] (+ optional data-copy-failed-text), [data-copy-status];
 *  5. print: button[data-print];
 *  6. file size: input[type=file][data-max-bytes][data-too-big-text] + a following sibling [data-file-error].
 * No eval, no inline style or handler, no network request: the CSP allows none.
 */
(function () {
  "use strict";

  /* ---------------------------------------------------------------------------------------------------
   * SHA-256, synchronous, on arrays of 32-bit integers. The proof of work hashes CHALLENGE + ":" + nonce
   * for nonce = 0, 1, 2…: the blocks of the fixed prefix are compressed once (its "midstate"), and each
   * nonce costs only the last one or two blocks, without allocating anything.
   * ------------------------------------------------------------------------------------------------- */

  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ];
  var IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  var i;
  for (i = 0; i < 64; i++) { K[i] = K[i] | 0; }
  for (i = 0; i < 8; i++) { IV[i] = IV[i] | 0; }

  function zeros(length) {
    var array = new Array(length), index;
    for (index = 0; index < length; index++) { array[index] = 0; }
    return array;
  }

  // One compression: state h (8 words) and block w (64 words, the first 16 filled) into out (may be h).
  function compress(h, w, out) {
    var j, x, y, t1, t2;
    var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (j = 16; j < 64; j++) {
      x = w[j - 15];
      y = w[j - 2];
      w[j] = ((((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) +
        (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)) + w[j - 7] + w[j - 16]) | 0;
    }
    for (j = 0; j < 64; j++) {
      t1 = (k + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
        ((e & f) ^ (~e & g)) + K[j] + w[j]) | 0;
      t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
        ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    out[0] = (h[0] + a) | 0;
    out[1] = (h[1] + b) | 0;
    out[2] = (h[2] + c) | 0;
    out[3] = (h[3] + d) | 0;
    out[4] = (h[4] + e) | 0;
    out[5] = (h[5] + f) | 0;
    out[6] = (h[6] + g) | 0;
    out[7] = (h[7] + k) | 0;
  }

  function loadBlock(bytes, offset, w) {
    var j, o;
    for (j = 0; j < 16; j++) {
      o = offset + 4 * j;
      w[j] = (bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3];
    }
  }

  // UTF-8, as Python's str.encode("utf-8") (a lone surrogate, which Python refuses, becomes U+FFFD).
  function utf8(text) {
    var bytes = [], index, code, next;
    for (index = 0; index < text.length; index++) {
      code = text.charCodeAt(index);
      if (code < 0x80) {
        bytes.push(code);
      } else if (code < 0x800) {
        bytes.push(0xc0 | (code >> 6), 0x80 | (code & 63));
      } else if (code >= 0xd800 && code < 0xdc00 && index + 1 < text.length &&
                 (next = text.charCodeAt(index + 1)) >= 0xdc00 && next < 0xe000) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        index++;
        bytes.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
      } else {
        if (code >= 0xd800 && code < 0xe000) { code = 0xfffd; }
        bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
      }
    }
    return bytes;
  }

  // The state after the complete 64-byte blocks of `bytes`, and the bytes left over (fewer than 64).
  function Midstate(bytes) {
    var full = bytes.length - (bytes.length % 64), offset, w = zeros(64);
    this.state = IV.slice();
    for (offset = 0; offset < full; offset += 64) {
      loadBlock(bytes, offset, w);
      compress(this.state, w, this.state);
    }
    this.rest = bytes.slice(full);
    this.length = bytes.length;
  }

  // buffer (128 bytes) holds midstate.rest then a tail, `used` bytes in all (at most 119): pad and finish.
  function finish(midstate, buffer, used, w, out) {
    var blockBytes = used + 9 <= 64 ? 64 : 128;
    var bits = (midstate.length - midstate.rest.length + used) * 8;
    var high = Math.floor(bits / 4294967296), low = bits >>> 0, j;
    buffer[used] = 0x80;
    for (j = used + 1; j < blockBytes - 8; j++) { buffer[j] = 0; }
    buffer[blockBytes - 8] = (high >>> 24) & 255;
    buffer[blockBytes - 7] = (high >>> 16) & 255;
    buffer[blockBytes - 6] = (high >>> 8) & 255;
    buffer[blockBytes - 5] = high & 255;
    buffer[blockBytes - 4] = (low >>> 24) & 255;
    buffer[blockBytes - 3] = (low >>> 16) & 255;
    buffer[blockBytes - 2] = (low >>> 8) & 255;
    buffer[blockBytes - 1] = low & 255;
    loadBlock(buffer, 0, w);
    compress(midstate.state, w, out);
    if (blockBytes === 128) {
      loadBlock(buffer, 64, w);
      compress(out, w, out);
    }
  }

  function toHex(words) {
    var hex = "", j, word;
    for (j = 0; j < 8; j++) {
      word = (words[j] >>> 0).toString(16);
      hex += "00000000".slice(word.length) + word;
    }
    return hex;
  }

  function sha256Hex(text) {
    var midstate = new Midstate(utf8(String(text)));
    var buffer = zeros(128), out = zeros(8), j;
    for (j = 0; j < midstate.rest.length; j++) { buffer[j] = midstate.rest[j]; }
    finish(midstate, buffer, midstate.rest.length, zeros(64), out);
    return toHex(out);
  }

  function leadingZeroBits(hex) {
    var count = 0, j, digit;
    for (j = 0; j < hex.length; j++) {
      digit = parseInt(hex.charAt(j), 16);
      if (digit === 0) {
        count += 4;
      } else {
        return count + (digit < 2 ? 3 : digit < 4 ? 2 : digit < 8 ? 1 : 0);
      }
    }
    return count;
  }

  function hasLeadingZeroBits(words, bits) {
    var j = 0;
    while (bits >= 32) {
      if (words[j] !== 0) { return false; }
      j++;
      bits -= 32;
    }
    return bits === 0 || (words[j] >>> (32 - bits)) === 0;
  }

  function clampBits(bits) {
    bits = parseInt(bits, 10);
    return isNaN(bits) || bits < 0 ? 0 : Math.min(bits, 256);
  }

  // Tries nonces 0, 1, 2… in order, `count` at a time: the first one found is the smallest.
  function Solver(challenge, bits) {
    var j;
    this.midstate = new Midstate(utf8(String(challenge) + ":"));
    this.bits = clampBits(bits);
    this.nonce = 0;
    this.buffer = zeros(128);
    for (j = 0; j < this.midstate.rest.length; j++) { this.buffer[j] = this.midstate.rest[j]; }
    this.w = zeros(64);
    this.out = zeros(8);
  }

  // The nonce (a decimal string) if one of the next `count` works, else null.
  Solver.prototype.run = function (count) {
    var start = this.midstate.rest.length, buffer = this.buffer, digits, j, tried;
    for (tried = 0; tried < count; tried++) {
      digits = String(this.nonce);
      for (j = 0; j < digits.length; j++) { buffer[start + j] = digits.charCodeAt(j); }
      finish(this.midstate, buffer, start + digits.length, this.w, this.out);
      if (hasLeadingZeroBits(this.out, this.bits)) { return digits; }
      this.nonce++;
    }
    return null;
  };

  function solve(challenge, bits) {
    var solver = new Solver(challenge, bits), found = null;
    while (found === null) { found = solver.run(10000); }
    return found;
  }

  window.EgideReports = { sha256Hex: sha256Hex, leadingZeroBits: leadingZeroBits, solve: solve };

  /* ---------------------------------------------------------------------------------------------------
   * Page behaviours.
   * ------------------------------------------------------------------------------------------------- */

  function each(list, callback) {
    var j;
    for (j = 0; j < list.length; j++) { callback(list[j]); }
  }

  function isSubmitButton(element) {
    var tag = element.tagName, type = (element.getAttribute("type") || "").toLowerCase();
    return (tag === "BUTTON" && (type === "" || type === "submit")) ||
      (tag === "INPUT" && (type === "submit" || type === "image"));
  }

  // The button that submits a form: event.submitter, or the last submit button clicked (older browsers).
  var lastClicked = null;
  document.addEventListener("click", function (event) {
    var target = event.target;
    while (target && target.nodeType === 1 && !isSubmitButton(target)) { target = target.parentNode; }
    lastClicked = target && target.nodeType === 1 ? target : null;
  }, true);

  function submitterOf(event, form) {
    if (event.submitter !== undefined) { return event.submitter; }
    return lastClicked && lastClicked.form === form ? lastClicked : null;
  }

  // 2. Single submit -----------------------------------------------------------------------------------

  function markBusy(form, submitter) {
    var text;
    if (form.getAttribute("aria-busy") === "true") { return; }
    form.setAttribute("aria-busy", "true");
    each(form.elements, function (element) {
      if (isSubmitButton(element) && !element.disabled) {
        element.disabled = true;
        element.setAttribute("data-egide-busy", "");
      }
    });
    text = submitter && submitter.getAttribute("data-busy-text");
    if (text) {
      if (submitter.tagName === "INPUT") {
        submitter.setAttribute("data-egide-idle-text", submitter.value);
        submitter.value = text;
      } else {
        submitter.setAttribute("data-egide-idle-text", submitter.textContent);
        submitter.textContent = text;
      }
    }
  }

  // Back to the page from the back-forward cache: the form can be used again.
  function unmarkBusy(form) {
    form.removeAttribute("aria-busy");
    each(form.elements, function (element) {
      var idle = element.getAttribute("data-egide-idle-text");
      if (element.hasAttribute("data-egide-busy")) {
        element.disabled = false;
        element.removeAttribute("data-egide-busy");
      }
      if (idle !== null) {
        if (element.tagName === "INPUT") { element.value = idle; } else { element.textContent = idle; }
        element.removeAttribute("data-egide-idle-text");
      }
    });
  }

  function initSubmitOnce() {
    // On the document, so that it runs after the forms' own listeners (the proof of work's among them).
    document.addEventListener("submit", function (event) {
      var form = event.target, submitter;
      if (!form || !form.hasAttribute || !form.hasAttribute("data-submit-once")) { return; }
      if (form.getAttribute("aria-busy") === "true") {
        event.preventDefault();
        return;
      }
      if (event.defaultPrevented) { return; }
      submitter = submitterOf(event, form);
      // After the event: the browser builds the submitted data once it is over, and a disabled button would
      // be left out of it (its name and value lost).
      window.setTimeout(function () {
        if (!event.defaultPrevented) { markBusy(form, submitter); }
      }, 0);
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) { each(document.querySelectorAll("form[data-submit-once]"), unmarkBusy); }
    });
  }

  // 1. Proof of work -----------------------------------------------------------------------------------

  var SLICE_MILLISECONDS = 12;

  // Runs a task after the events waiting (clicks, keys, rendering): through a MessageChannel, which browsers do
  // not clamp to 4 ms as they do nested setTimeout(…, 0) calls, else through setTimeout.
  var later = (function () {
    var queue = [], channel;
    if (typeof MessageChannel !== "function") {
      return function (task) { window.setTimeout(task, 0); };
    }
    channel = new MessageChannel();
    channel.port1.onmessage = function () {
      var task = queue.shift();
      if (task) { task(); }
    };
    return function (task) {
      queue.push(task);
      channel.port2.postMessage(0);
    };
  }());

  function initProofOfWork(challengeInput) {
    var form = challengeInput.form, nonceInput, solver, nonce = null, pending = false, pendingSubmitter = null;
    if (!form || !challengeInput.hasAttribute("data-pow-bits")) { return; }
    nonceInput = form.querySelector('input[name="pow_nonce"]');
    if (!nonceInput) { return; }
    solver = new Solver(challengeInput.value, challengeInput.getAttribute("data-pow-bits"));

    function submitNow() {
      var copy;
      each(form.querySelectorAll("input[data-egide-submitter]"), function (old) { old.parentNode.removeChild(old); });
      if (pendingSubmitter && pendingSubmitter.name && pendingSubmitter.type !== "image") {
        copy = document.createElement("input");
        copy.type = "hidden";
        copy.name = pendingSubmitter.name;
        copy.value = pendingSubmitter.value;
        copy.setAttribute("data-egide-submitter", "");
        form.appendChild(copy);
      }
      // The prototype's method: a control named "submit" would hide form.submit.
      HTMLFormElement.prototype.submit.call(form);
      if (form.hasAttribute("data-submit-once")) { markBusy(form, pendingSubmitter); }
    }

    function slice() {
      var started = Date.now();
      do {
        nonce = solver.run(1000);
      } while (nonce === null && Date.now() - started < SLICE_MILLISECONDS);
      if (nonce === null) {
        later(slice);
        return;
      }
      nonceInput.value = nonce;
      if (pending) {
        pending = false;
        submitNow();
      }
    }

    form.addEventListener("submit", function (event) {
      var status;
      if (nonce !== null) { return; }
      event.preventDefault();
      pending = true;
      pendingSubmitter = submitterOf(event, form);
      status = form.querySelector("[data-pow-status]");
      if (status) {
        if (status.hasAttribute("data-working-text")) { status.textContent = status.getAttribute("data-working-text"); }
        status.removeAttribute("hidden");
      }
    });
    slice();
  }

  // 3. Fields by mode ----------------------------------------------------------------------------------

  // A `required` control in a hidden block would stop the submission with an error the visitor cannot see:
  // it is set aside while hidden. Values are kept either way (the server decides what counts).
  function setShown(block, shown) {
    var controls = block.querySelectorAll("input, select, textarea");
    if (shown) {
      block.removeAttribute("hidden");
      each(controls, function (control) {
        if (control.hasAttribute("data-egide-required")) {
          control.removeAttribute("data-egide-required");
          control.required = true;
        }
      });
    } else {
      block.setAttribute("hidden", "");
      each(controls, function (control) {
        if (control.required) {
          control.required = false;
          control.setAttribute("data-egide-required", "");
        }
      });
    }
  }

  function initModes(form) {
    var blocks = form.querySelectorAll("[data-show-for-modes]");
    if (!blocks.length) { return; }

    function update() {
      var checked = form.querySelector('input[type="radio"][name="mode"]:checked');
      each(blocks, function (block) {
        var modes = " " + block.getAttribute("data-show-for-modes").replace(/\s+/g, " ") + " ";
        setShown(block, !checked || modes.indexOf(" " + checked.value + " ") !== -1);
      });
    }

    form.addEventListener("change", function (event) {
      if (event.target && event.target.name === "mode") { update(); }
    });
    form.addEventListener("reset", function () { window.setTimeout(update, 0); });
    update();
  }

  // 4. Copy --------------------------------------------------------------------------------------------

  function copyStatusFor(button) {
    var next = button.nextElementSibling;
    if (next && next.hasAttribute("data-copy-status")) { return next; }
    return document.querySelector("[data-copy-status]");
  }

  function textOf(element) {
    var tag = element.tagName;
    return (tag === "INPUT" || tag === "TEXTAREA" ? element.value : element.textContent || "").replace(/^\s+|\s+$/g, "");
  }

  // Selects the element's text (so that the visitor can copy it by hand if need be) and asks for a copy.
  function copyBySelection(element) {
    var selection = window.getSelection && window.getSelection(), range;
    try {
      if (element.tagName === "INPUT" || element.tagName === "TEXTAREA") {
        element.select();
      } else if (selection && document.createRange) {
        range = document.createRange();
        range.selectNodeContents(element);
        selection.removeAllRanges();
        selection.addRange(range);
      }
      return document.execCommand("copy") === true;
    } catch (error) {
      return false;
    }
  }

  function initCopy(button) {
    button.removeAttribute("hidden");
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-copy-target")), text;
      if (!target) { return; }
      text = textOf(target);

      function report(copied) {
        var status = copyStatusFor(button);
        var message = button.getAttribute(copied ? "data-copied-text" : "data-copy-failed-text");
        if (!status) { return; }
        status.textContent = "";
        if (message) { status.textContent = message; }
      }

      function fallback() { report(copyBySelection(target)); }

      if (navigator.clipboard && typeof navigator.clipboard.writeText === "function") {
        try {
          navigator.clipboard.writeText(text).then(function () { report(true); }, fallback);
        } catch (error) {
          fallback();
        }
      } else {
        fallback();
      }
    });
  }

  // 5. Print -------------------------------------------------------------------------------------------

  function initPrint(button) {
    button.removeAttribute("hidden");
    button.addEventListener("click", function () { window.print(); });
  }

  // 6. File size ---------------------------------------------------------------------------------------

  function initFileSize(input) {
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10), error = input.nextElementSibling, errorWasHidden;
    if (isNaN(limit)) { return; }
    while (error && !error.hasAttribute("data-file-error")) { error = error.nextElementSibling; }
    errorWasHidden = !!error && error.hasAttribute("hidden");

    input.addEventListener("change", function () {
      var message = "", files = input.files || [], j;
      for (j = 0; j < files.length; j++) {
        if (files[j].size > limit) {
          message = (input.getAttribute("data-too-big-text") || "%(name)s").split("%(name)s").join(files[j].name);
          break;
        }
      }
      input.setCustomValidity(message);
      if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
      if (error) {
        error.textContent = message;
        if (message) {
          error.removeAttribute("hidden");
        } else if (errorWasHidden) {
          error.setAttribute("hidden", "");
        }
      }
    });
  }

  // ----------------------------------------------------------------------------------------------------

  function init() {
    initSubmitOnce();
    each(document.querySelectorAll('input[name="pow_challenge"][data-pow-bits]'), initProofOfWork);
    each(document.querySelectorAll("form"), initModes);
    each(document.querySelectorAll("button[data-copy-target]"), initCopy);
    each(document.querySelectorAll("button[data-print]"), initPrint);
    each(document.querySelectorAll('input[type="file"][data-max-bytes]'), initFileSize);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
