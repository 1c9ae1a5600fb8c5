/* wikilint review queue: everything from a page or the wiki is put in the page as text
   (textContent), never as markup. */
(function () {
  'use strict';
  var csrfMeta = document.querySelector('meta[name="wikilint-csrf"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';
  var statusBox = document.getElementById('wl-status');

  function say(message, isError) {
    statusBox.textContent = message;
    statusBox.classList.toggle('wl-error', Boolean(isError));
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function request(method, path, body) {
    var options = { method: method, headers: { 'X-CSRF-Token': csrf }, credentials: 'same-origin' };
    if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw new Error(data.error || ('HTTP ' + response.status)); }
        return data;
      });
    });
  }

  /* -- the diff ------------------------------------------------------------------------ */

  function cell(kind, marker, segments) {
    var td = el('td', 'diff-' + kind);
    segments.forEach(function (segment) {
      var text = segment[0], changed = segment[1];
      if (changed) {
        td.appendChild(el(kind === 'deletedline' ? 'del' : 'ins', 'diffchange diffchange-inline',
                          text));
      } else {
        td.appendChild(document.createTextNode(text));
      }
    });
    var mark = el('td', 'diff-marker');
    mark.setAttribute('data-marker', marker);
    return [mark, td];
  }

  function renderDiff(rows) {
    var body = document.getElementById('wl-diff-body');
    body.textContent = '';
    if (!rows.length) {
      var none = el('tr');
      var td = el('td', 'wl-loading', 'No change: no finding is checked.');
      td.colSpan = 4;
      none.appendChild(td);
      body.appendChild(none);
      return;
    }
    rows.forEach(function (row) {
      var header = el('tr');
      var left = el('td', 'diff-lineno', 'Line ' + row.old_line + ':');
      var right = el('td', 'diff-lineno', 'Line ' + row.new_line + ':');
      left.colSpan = 2; right.colSpan = 2;
      header.appendChild(left); header.appendChild(right);
      body.appendChild(header);
      var tr = el('tr');
      cell('deletedline', '−', row.old).concat(cell('addedline', '+', row.new))
        .forEach(function (td) { tr.appendChild(td); });
      body.appendChild(tr);
    });
  }

  /* -- one proposal -------------------------------------------------------------------- */

  var proposal = document.getElementById('wl-proposal');
  var current = -1;

  function checkedKeys() {
    return Array.prototype.map.call(document.querySelectorAll('.wl-check:checked'),
                                    function (box) { return box.value; });
  }

  function showCounts() {
    var all = document.querySelectorAll('.wl-check').length;
    document.getElementById('wl-checked-count').textContent =
      '(' + checkedKeys().length + ' of ' + all + ' checked)';
  }

  function preview() {
    var id = proposal.getAttribute('data-id');
    say('recomputing the diff…');
    return request('POST', '/api/proposals/' + id + '/preview', { accepted: checkedKeys() })
      .then(function (data) {
        renderDiff(data.rows);
        document.getElementById('wl-summary-text').textContent = data.summary;
        showCounts();
        say('');
      })
      .catch(function (error) { say('could not recompute: ' + error.message, true); });
  }

  function decide(action) {
    var id = proposal.getAttribute('data-id');
    say(action + '…');
    return request('POST', '/api/proposals/' + id + '/decision',
                   { action: action, accepted: checkedKeys() })
      .then(function (data) {
        var badge = document.getElementById('wl-proposal-status');
        badge.textContent = data.status;
        badge.className = 'wl-badge wl-badge-' + data.status;
        say('#' + id + ': ' + data.status + (data.reason ? ' (' + data.reason + ')' : ''));
        var next = document.getElementById('wl-next');
        if (next) { setTimeout(function () { window.location.href = next.href; }, 400); }
      })
      .catch(function (error) { say(action + ' failed: ' + error.message, true); });
  }

  function focusFinding(index) {
    var items = document.querySelectorAll('.wl-finding');
    if (!items.length) { return; }
    current = Math.max(0, Math.min(items.length - 1, index));
    items.forEach(function (item, i) { item.classList.toggle('wl-current', i === current); });
    items[current].scrollIntoView({ block: 'nearest' });
  }

  if (proposal) {
    var id = proposal.getAttribute('data-id');
    request('GET', '/api/proposals/' + id).then(function (data) {
      renderDiff(data.rows);
      showCounts();
    }).catch(function (error) { say('could not load the diff: ' + error.message, true); });
    document.querySelectorAll('.wl-check').forEach(function (box) {
      box.addEventListener('change', preview);
    });
    document.querySelectorAll('.wl-actions button').forEach(function (button) {
      button.addEventListener('click', function () { decide(button.getAttribute('data-action')); });
    });
    document.querySelectorAll('.wl-explain-button').forEach(function (button) {
      button.addEventListener('click', function () {
        var box = button.parentNode.querySelector('.wl-explain');
        if (!box.hidden) { box.hidden = true; return; }
        request('GET', '/api/explain/' + encodeURIComponent(button.getAttribute('data-rule')))
          .then(function (data) { box.textContent = data.text; box.hidden = false; })
          .catch(function (error) { say('explain failed: ' + error.message, true); });
      });
    });
  }

  /* -- the queue ----------------------------------------------------------------------- */

  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.wl-row'));
  rows.forEach(function (row) {
    row.addEventListener('click', function (event) {
      if (event.target.tagName !== 'A') { window.location.href = row.getAttribute('data-href'); }
    });
  });
  var submit = document.getElementById('wl-submit-accepted');
  if (submit) {
    submit.addEventListener('click', function () {
      submit.disabled = true;
      say('saving the accepted proposals to the wiki…');
      var list = document.getElementById('wl-submit-results');
      list.textContent = '';
      request('POST', '/api/submit', {}).then(function (data) {
        data.results.forEach(function (result) {
          var item = el('li', 'wl-result', '#' + result.id + ' ' + result.page + ': ' +
                        result.status + (result.reason ? ' (' + result.reason + ')' : '') + ' ');
          if (result.diff_url) {
            var link = el('a', 'wl-diff-link', 'Special:Diff/' + result.revid);
            link.href = result.diff_url;
            item.appendChild(link);
          }
          list.appendChild(item);
          var row = document.querySelector('tr.wl-row[data-id="' + result.id + '"] td.wl-state');
          if (row) {
            row.textContent = '';
            row.appendChild(el('span', 'wl-badge wl-badge-' + result.status, result.status));
            if (result.reason) { row.appendChild(el('div', 'wl-reason', result.reason)); }
            if (result.diff_url) {
              var cellLink = el('a', '', 'Special:Diff/' + result.revid);
              cellLink.href = result.diff_url;
              var holder = el('div');
              holder.appendChild(cellLink);
              row.appendChild(holder);
            }
          }
        });
        say('done: ' + data.results.length + ' proposal(s) submitted or skipped');
      }).catch(function (error) {
        say('submit failed: ' + error.message, true);
        submit.disabled = false;
      });
    });
  }

  /* -- keys ---------------------------------------------------------------------------- */

  document.addEventListener('keydown', function (event) {
    var tag = (event.target.tagName || '').toLowerCase();
    if (tag === 'input' && event.target.type !== 'checkbox' || tag === 'textarea' ||
        tag === 'select' || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var help = document.getElementById('wl-help');
    if (event.key === '?') { help.hidden = !help.hidden; event.preventDefault(); return; }
    if (event.key === 'Escape') { help.hidden = true; return; }
    if (proposal) {
      if (event.key === 'a') { decide('accept'); }
      else if (event.key === 'r') { decide('reject'); }
      else if (event.key === 's') { decide('skip'); }
      else if (event.key === 'ArrowDown') { focusFinding(current + 1); }
      else if (event.key === 'ArrowUp') { focusFinding(current - 1); }
      else if (event.key === 'x' && current >= 0) {
        var box = document.querySelectorAll('.wl-check')[current];
        box.checked = !box.checked;
        preview();
      } else if (event.key === 'j' || event.key === 'k') {
        var link = document.getElementById(event.key === 'j' ? 'wl-next' : 'wl-prev');
        if (link) { window.location.href = link.href; }
      } else { return; }
      event.preventDefault();
      return;
    }
    if (rows.length && (event.key === 'j' || event.key === 'k')) {
      current = Math.max(0, Math.min(rows.length - 1, current + (event.key === 'j' ? 1 : -1)));
      rows.forEach(function (row, i) { row.classList.toggle('wl-current', i === current); });
      rows[current].scrollIntoView({ block: 'nearest' });
      event.preventDefault();
    } else if (event.key === 'Enter' && current >= 0) {
      window.location.href = rows[current].getAttribute('data-href');
    }
  });
}());
