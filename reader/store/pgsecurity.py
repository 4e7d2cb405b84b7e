"""One login per person on a PostgreSQL store: the names the engine and the team lead's SQL share.

The team lead sets the store up with the SQL in docs/teams.md ("One login per
person"): a group role ``reader_team`` that every annotator's login role is in,
``reader_adjudicators`` for those who write the gold layer, grants on the
store's tables, and PostgreSQL **row-level security** on
``reader_annotations``: everyone reads every layer, but a role inserts,
changes and deletes only rows whose ``annotator`` is its own login name (an
adjudicator also those of the gold layer). The database enforces it, so
alice cannot change bob's annotations even with ``psql``. The SQL's last
statement records :data:`PER_PERSON` under :data:`LOGINS_KEY` in
``reader_info``; on such a store a session opened without ``--annotator``
annotates as its login role (:meth:`PostgresEngine._login_annotator`), and a
write the policy refuses is reported in one line and reloaded, like a conflict.
"""
from __future__ import annotations

#: reader_info key that says how annotators log in
LOGINS_KEY = "logins"
#: its value on a store set up with one login per person
PER_PERSON = "per-person"
#: the group roles the team lead's SQL creates
TEAM_ROLE = "reader_team"
ADJUDICATOR_ROLE = "reader_adjudicators"
