"""The review queue of ``wikilint serve``: the proposal store in a browser.

The same store and the same change core as ``wikilint propose`` / ``review`` / ``submit``: a
checkbox per finding recomputes the change with
:func:`~wikilint.bot.change.review.proposal_change` (``accept_keys``), "accept" stores it
exactly as the terminal review does (:func:`~wikilint.bot.change.review.recompute`), and
"Submit accepted" saves through
``wikilint submit``'s own safe-save path (:func:`~wikilint.bot.change.submit.submit_many`:
base revision id, conflict re-apply, exclusion and policy checks).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from wikilint import rules
from wikilint.bot.change.core import Change
from wikilint.bot.change.review import proposal_change, recompute, reviewed_edits
from wikilint.bot.change.store import STATUSES, Proposal, Store, default_state_path
from wikilint.bot.web.diffview import rows

if TYPE_CHECKING:
    from flask import Flask

DECISIONS = ("accept", "reject", "skip")


class QueueError(Exception):
    """A request the queue refuses: (message, HTTP status)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def full_change(p: Proposal, config: rules.Config) -> Change:
    """Every fix the rules make on the proposal's base text (the findings a reviewer may
    check), in the proposal's stored environment."""
    return proposal_change(p, config)


def preview(p: Proposal, config: rules.Config, accepted: list[str]) -> dict[str, Any]:
    """The change with only ``accepted`` applied, as diff rows and a summary (not stored)."""
    change = proposal_change(p, config, accept_keys=accepted)
    return {
        "rows": [r.to_json() for r in rows(change.original, change.edits)],
        "summary": change.summary,
        "changed": change.proposed != change.original,
        "accepted": change.keys,
    }


def decide(
    store: Store, p: Proposal, config: rules.Config, action: str, accepted: list[str]
) -> Proposal:
    """Accept (only the checked findings), reject or skip one proposal, as the terminal
    review does."""
    if action not in DECISIONS:
        raise QueueError(f"unknown action {action!r} (accept, reject or skip)")
    if p.status not in ("pending", "accepted"):
        raise QueueError(f"proposal #{p.id} is {p.status}: nothing to decide", 409)
    pid = p.id or 0
    if action == "skip":
        return p
    if action == "reject":
        store.set_status(pid, "rejected", "rejected in review")
    elif not accepted:
        store.set_status(pid, "rejected", "every finding rejected in review")
    else:
        if sorted(accepted) != sorted(p.accepted):
            p = recompute(p, accepted, config)
            store.update(p)
        store.set_status(pid, "accepted")
    return store.get(pid)


def register(app: Flask) -> None:
    from flask import abort, jsonify, render_template, request

    settings = app.extensions["wikilint.settings"]
    config: rules.Config = app.extensions["wikilint.config"]
    store_path = settings.state or default_state_path()
    diff_bases: dict[str, str] = {}  # site → Special:Diff URL prefix, once a submit opened it
    every_fix: dict[tuple[object, ...], Change] = {}  # a proposal's full change, by its base

    def all_findings(p: Proposal) -> Change:
        """The full change of a proposal's base text: computed once per base (the page of a
        70 KiB proposal must open in well under a second)."""
        key = (
            p.id,
            p.base_revid,
            hash(p.original),
            p.section,
            p.unsafe,
            p.today,
            tuple(sorted(p.titles.items())),
        )
        if key not in every_fix:
            if len(every_fix) >= 64:
                every_fix.pop(next(iter(every_fix)))
            every_fix[key] = full_change(p, config)
        return every_fix[key]

    @contextmanager
    def opened() -> Iterator[Store]:
        store = Store(store_path)
        try:
            yield store
        finally:
            store.close()

    def proposal_or_404(store: Store, pid: int) -> Proposal:
        try:
            return store.get(pid)
        except KeyError:
            abort(404)

    def json_body() -> dict[str, Any]:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise QueueError("send a JSON object")
        accepted = data.get("accepted", [])
        if not (isinstance(accepted, list) and all(isinstance(k, str) for k in accepted)):
            raise QueueError("'accepted' must be a list of finding keys")
        return data

    @app.errorhandler(QueueError)
    def queue_error(exc: QueueError) -> Any:
        return jsonify({"error": str(exc)}), exc.status

    @app.errorhandler(rules.SectionNotFound)
    def section_gone(exc: rules.SectionNotFound) -> Any:
        return jsonify({"error": str(exc)}), 409

    @app.route("/")
    def queue_page() -> Any:
        status = request.args.get("status") or None
        if status is not None and status not in STATUSES:
            status = None
        page = (request.args.get("page") or "").strip()
        rule = request.args.get("rule") or None
        with opened() as store:
            proposals = store.list(status)  # type: ignore[arg-type]
            accepted_count = len(store.list("accepted"))
        if page:
            proposals = [p for p in proposals if page.casefold() in p.page.casefold()]
        if rule:
            proposals = [p for p in proposals if rule in p.rule_counts]
        return render_template(
            "queue.html",
            proposals=proposals,
            statuses=STATUSES,
            status=status,
            page=page,
            rule=rule,
            rule_names=[r.name for r in rules.all_rules()],
            accepted_count=accepted_count,
            csrf=settings.csrf,
            store_path=store_path,
            diff_bases=diff_bases,
        )

    @app.route("/proposal/<int:pid>")
    def proposal_page(pid: int) -> Any:
        with opened() as store:
            p = proposal_or_404(store, pid)
            ids = [q.id for q in store.list() if q.id is not None]
        change = all_findings(p)
        accepted = set(p.accepted)
        findings = [
            {
                "key": f.key,
                "rule": f.rule,
                "code": _code(f.rule),
                "line": f.line,
                "message": f.message,
                "before": f.before,
                "after": f.after,
                "checked": f.key in accepted,
            }
            for f in change.findings
        ]
        position = ids.index(pid)
        return render_template(
            "proposal.html",
            p=p,
            findings=findings,
            section_title=change.section_title,
            prev_id=ids[position - 1] if position > 0 else None,
            next_id=ids[position + 1] if position + 1 < len(ids) else None,
            csrf=settings.csrf,
            store_path=store_path,
            diff_base=diff_bases.get(p.site),
        )

    @app.route("/api/proposals")
    def api_proposals() -> Any:
        with opened() as store:
            proposals = store.list()
        return jsonify(
            [
                {
                    "id": p.id,
                    "page": p.page,
                    "section": p.section,
                    "status": p.status,
                    "reason": p.reason,
                    "rule_counts": p.rule_counts,
                    "saved_revid": p.saved_revid,
                    "updated": p.updated,
                }
                for p in proposals
            ]
        )

    @app.route("/api/proposals/<int:pid>")
    def api_proposal(pid: int) -> Any:
        with opened() as store:
            p = proposal_or_404(store, pid)
        edits = reviewed_edits(p, config)
        return jsonify(
            {
                "id": p.id,
                "page": p.page,
                "status": p.status,
                "reason": p.reason,
                "summary": p.summary,
                "accepted": p.accepted,
                "rows": [r.to_json() for r in rows(p.original, edits)],
            }
        )

    @app.route("/api/proposals/<int:pid>/preview", methods=["POST"])
    def api_preview(pid: int) -> Any:
        data = json_body()
        with opened() as store:
            p = proposal_or_404(store, pid)
        return jsonify(preview(p, config, data.get("accepted", [])))

    @app.route("/api/proposals/<int:pid>/decision", methods=["POST"])
    def api_decision(pid: int) -> Any:
        data = json_body()
        with opened() as store:
            p = decide(
                store,
                proposal_or_404(store, pid),
                config,
                str(data.get("action")),
                data.get("accepted", []),
            )
        return jsonify({"id": p.id, "status": p.status, "reason": p.reason, "summary": p.summary})

    @app.route("/api/submit", methods=["POST"])
    def api_submit() -> Any:
        from wikilint.bot.change.submit import submit_many
        from wikilint.bot.wiki.api import WikiFailure

        data = request.get_json(silent=True) or {}
        wanted = data.get("ids") if isinstance(data, dict) else None
        with opened() as store:
            accepted = [p for p in store.list("accepted") if not wanted or p.id in set(wanted)]
            try:
                submit_many(
                    store,
                    [p.id or 0 for p in accepted],
                    settings.site,
                    config,
                    minor=True,
                    color=False,
                    explicit=False,
                )
            except WikiFailure as exc:
                raise QueueError(str(exc), 502) from None
            results = []
            for p in accepted:
                now = store.get(p.id or 0)
                link = None
                if now.saved_revid and now.status == "submitted":
                    link = _link_for(diff_bases, now.site, settings.site, now.saved_revid)
                results.append(
                    {
                        "id": now.id,
                        "page": now.page,
                        "status": now.status,
                        "reason": now.reason,
                        "revid": now.saved_revid,
                        "diff_url": link,
                    }
                )
        return jsonify({"results": results})


def _code(rule: str) -> str:
    try:
        return rules.get_rule(rule).code
    except KeyError:
        return ""


def _link_for(
    cache: dict[str, str], site_name: str, site_arg: str | None, revid: int
) -> str | None:
    """The ``Special:Diff`` link of a saved revision (the site is already open after a
    submit: pywikibot keeps it)."""
    if site_name not in cache:
        from wikilint.bot.wiki import api as wiki

        try:
            link = wiki.diff_url(wiki.open_wiki(site_arg or site_name), 0)
        except Exception:  # the save happened; a missing link (no siteinfo) is no error
            return None
        cache[site_name] = link.removesuffix("0")
    return f"{cache[site_name]}{revid}"
