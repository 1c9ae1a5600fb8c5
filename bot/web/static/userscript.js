/*
 * wikilint edit-form button (a user script: install it in your common.js).
 *
 * Adds a "wikilint" button to MediaWiki's edit form. It sends the edit box (wpTextbox1) and the
 * section being edited (wpSection) to your local `wikilint serve`, lists the findings (click one
 * to select it in the edit box), and "Apply safe fixes" puts the fixed text into the edit box.
 * It never saves: you review with "Show changes" and save yourself.
 *
 * Served by `wikilint serve --userscript`; the server address below is filled in there.
 * With `wikilint serve --token T`, run once in the browser console on the wiki:
 *   localStorage.setItem('wikilint-token', 'T')
 * (the token never goes into this script: user scripts are public pages).
 */
(function () {
  'use strict';
  var SERVER = "__WIKILINT_SERVER__";
  var box = document.getElementById('wpTextbox1');
  var form = document.getElementById('editform');
  if (!box || !form || document.getElementById('wikilint-button')) {
    return;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }  // text only: page text is untrusted
    return node;
  }

  /* Offsets from wikilint count Unicode code points; the edit box counts UTF-16 units. */
  function utf16Offsets(text, points) {
    var wanted = points.slice().sort(function (a, b) { return a - b; });
    var result = {};
    var unit = 0, point = 0, i = 0;
    while (i < wanted.length) {
      if (point === wanted[i]) { result[wanted[i]] = unit; i += 1; continue; }
      if (unit >= text.length) { result[wanted[i]] = text.length; i += 1; continue; }
      var code = text.charCodeAt(unit);
      unit += (code >= 0xD800 && code <= 0xDBFF && unit + 1 < text.length) ? 2 : 1;
      point += 1;
    }
    return result;
  }

  function getText() {
    if (window.jQuery && window.jQuery.fn.textSelection) {
      return window.jQuery(box).textSelection('getContents');
    }
    return box.value;
  }

  function setText(text) {
    if (window.jQuery && window.jQuery.fn.textSelection) {
      window.jQuery(box).textSelection('setContents', text);
    } else {
      box.value = text;
    }
    box.dispatchEvent(new Event('input', { bubbles: true }));
  }

  function select(start, end) {
    var text = getText();
    var at = utf16Offsets(text, [start, end]);
    if (window.jQuery && window.jQuery.fn.textSelection) {
      window.jQuery(box).textSelection('setSelection', { start: at[start], end: at[end] });
      window.jQuery(box).textSelection('scrollToCaretPosition');
    } else {
      box.focus();
      box.setSelectionRange(at[start], at[end]);
    }
  }

  var panel = el('div', { id: 'wikilint-panel', 'class': 'wikilint-panel', role: 'region',
                          'aria-label': 'wikilint' });
  panel.style.cssText = 'border:1px solid #a2a9b1;background:#f8f9fa;padding:6px 10px;' +
    'margin:6px 0;font-size:90%;max-height:16em;overflow:auto;display:none';
  var status = el('div', { id: 'wikilint-status', 'aria-live': 'polite' });
  var list = el('ol', { id: 'wikilint-findings' });
  list.style.cssText = 'margin:4px 0 4px 2em;padding:0';
  var apply = el('button', { id: 'wikilint-apply', type: 'button', 'class': 'cdx-button' },
                 'Apply safe fixes');
  apply.disabled = true;
  var header = el('div', { 'class': 'wikilint-header' });
  header.style.cssText = 'display:flex;gap:1em;align-items:center;justify-content:space-between';
  header.appendChild(status);
  header.appendChild(apply);
  panel.appendChild(header);
  panel.appendChild(list);
  box.parentNode.insertBefore(panel, box);

  var button = el('button', { id: 'wikilint-button', type: 'button', 'class': 'cdx-button',
                              title: 'Check this text with your local wikilint' }, 'wikilint');
  var buttons = form.querySelector('.editButtons');
  var diff = document.getElementById('wpDiff');
  if (diff && diff.parentNode) {
    diff.parentNode.insertBefore(button, diff.nextSibling);
  } else if (buttons) {
    buttons.appendChild(button);
  } else {
    form.appendChild(button);
  }

  function section() {
    var field = form.querySelector('input[name="wpSection"]');
    return field ? field.value : null;
  }

  function title() {
    return (window.mw && window.mw.config) ? window.mw.config.get('wgPageName') : null;
  }

  function call(path, body) {
    var headers = { 'Content-Type': 'application/json' };
    var token = null;
    try { token = window.localStorage.getItem('wikilint-token'); } catch (e) { token = null; }
    if (token) { headers['X-Wikilint-Token'] = token; }
    return fetch(SERVER + path, { method: 'POST', headers: headers, body: JSON.stringify(body),
                                  mode: 'cors', credentials: 'omit' })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) {
            throw new Error(data.error || ('HTTP ' + response.status));
          }
          return data;
        });
      });
  }

  function show(findings) {
    list.textContent = '';
    var fixable = 0;
    findings.forEach(function (f) {
      var item = el('li', { 'class': 'wikilint-finding', 'data-rule': f.rule });
      var link = el('a', { href: '#', 'class': 'wikilint-select' },
                    f.line + ':' + f.column + ' ' + f.rule + ' (' + f.code + ')');
      link.addEventListener('click', function (event) {
        event.preventDefault();
        select(f.start, f.end);
      });
      item.appendChild(link);
      item.appendChild(document.createTextNode(' ' + f.message +
        (f.fix ? ' [' + f.fix.applicability + ' fix]' : '')));
      list.appendChild(item);
      if (f.fix && f.fix.applicability === 'safe') { fixable += 1; }
    });
    apply.disabled = fixable === 0;
    return fixable;
  }

  button.addEventListener('click', function () {
    panel.style.display = 'block';
    status.textContent = 'wikilint: checking…';
    list.textContent = '';
    call('/api/lint', { text: getText(), section: section(), title: title() })
      .then(function (data) {
        var fixable = show(data.findings);
        status.textContent = 'wikilint: ' + data.findings.length + ' finding(s), ' + fixable +
          ' with a safe fix.' + (data.parse_error ? ' ' + data.parse_error : '');
      })
      .catch(function (error) {
        status.textContent = 'wikilint: could not reach ' + SERVER + ' (' + error.message +
          '). Is `wikilint serve` running with --origin ' + window.location.origin + '?';
      });
  });

  apply.addEventListener('click', function () {
    status.textContent = 'wikilint: fixing…';
    apply.disabled = true;
    call('/api/fix', { text: getText(), section: section(), title: title() })
      .then(function (data) {
        if (data.changed) { setText(data.text); }
        show(data.findings);
        status.textContent = 'wikilint: applied ' + data.applied + ' safe fix(es); ' +
          data.findings.length + ' finding(s) left. Nothing is saved: use "Show changes", ' +
          'then save.';
      })
      .catch(function (error) {
        status.textContent = 'wikilint: fixing failed (' + error.message + ')';
        apply.disabled = false;
      });
  });
}());
