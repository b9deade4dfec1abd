"""The reporting service's read models: one table per question staff ask, folded from the log.

Everything here can be rebuilt from the log (`thidua report rebuild`). The `*_event` columns keep
the envelope and its stream sequence, so a document built later can name exactly what it read.
Tables under "issuing" are the service's own bookkeeping for documents (number counters, which
council sessions have their minutes) and are not part of the read models.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

movements = Table(
    "rpt_movement",
    metadata,
    Column("movement_id", String(80), primary_key=True),
    Column("name", Text, nullable=False),
    Column("year", Integer, nullable=False),
    # The definition in force (MovementDefined or the latest MovementAmended), as JSON.
    Column("definition", Text, nullable=False),
    Column("event", Text, nullable=False),
    Column("sequence", BigInteger, nullable=False),
    # The plan as issued (MovementPublished): its number and date, cited by later documents.
    Column("plan_number", String(40)),
    Column("plan_signed_on", Date),
)

units = Table(
    "rpt_unit",
    metadata,
    Column("movement_id", String(80), primary_key=True),
    Column("unit_id", String(80), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("block_id", String(80), nullable=False),
    Column("ended_on", Date),
)

registrations = Table(
    "rpt_registration",
    metadata,
    Column("movement_id", String(80), primary_key=True),
    Column("subject_kind", String(10), primary_key=True),
    Column("subject_id", String(80), primary_key=True),
    Column("unit_id", String(80), nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("late", Boolean, nullable=False),
    Column("titles", Text, nullable=False),  # award codes, comma-separated
    Column("commitments", Integer, nullable=False),
    Column("sequence", BigInteger, nullable=False),
)

rounds = Table(
    "rpt_round",
    metadata,
    Column("movement_id", String(80), primary_key=True),
    Column("round", String(20), primary_key=True),
    Column("opened_on", Date),
    Column("due_on", Date),
    Column("closed_on", Date),
    Column("missing_at_close", Text),  # unit ids, comma-separated, as recorded at closing
)

reports = Table(
    "rpt_report",
    metadata,
    Column("movement_id", String(80), primary_key=True),
    Column("unit_id", String(80), primary_key=True),
    Column("round", String(20), primary_key=True),
    Column("versions", Integer, nullable=False),
    Column("first_submitted_on", Date, nullable=False),
    Column("submitted_on", Date, nullable=False),
    Column("late", Boolean, nullable=False),
    Column("working_days_late", Integer, nullable=False),
    Column("withdrawn", Boolean, nullable=False),
    Column("sequence", BigInteger, nullable=False),
)

score_sheets = Table(
    "rpt_score_sheet",
    metadata,
    Column("movement_id", String(80), primary_key=True),
    Column("unit_id", String(80), primary_key=True),
    Column("round", String(20), primary_key=True),
    Column("report_version", Integer, nullable=False),
    Column("total", String(20), nullable=False),
    Column("max_total", String(20), nullable=False),
    Column("sequence", BigInteger, nullable=False),
)

nominations = Table(
    "rpt_nomination",
    metadata,
    Column("proposal_id", String(36), primary_key=True),
    Column("movement_id", String(80), nullable=False),
    Column("unit_id", String(80), nullable=False),
    Column("subject_kind", String(10), nullable=False),
    Column("subject_id", String(80), nullable=False),
    Column("subject_name", Text, nullable=False),
    Column("award_code", String(40), nullable=False),
    Column("year", Integer, nullable=False),
    Column("state", String(40), nullable=False),  # DOMAIN §5.1 state names
    Column("session_id", String(80)),
    Column("yes_total", Integer),
    Column("members_total", Integer),
    Column("decision_id", String(36)),
    Column("decision_number", String(40)),
    Column("award_id", String(36)),
    Column("prize_vnd", BigInteger),
    Column("proposed_sequence", BigInteger, nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("event", Text, nullable=False),
)
Index("rpt_nomination_movement", nominations.c.movement_id)

# A nominee left out after the ballot (a quota, an upheld objection), with the recorded reason:
# the council's minutes and the Tờ trình say who and why.
exclusions = Table(
    "rpt_exclusion",
    metadata,
    Column("proposal_id", String(36), primary_key=True),
    Column("movement_id", String(80), nullable=False),
    Column("detail_vi", Text, nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("event", Text, nullable=False),
)

tallies = Table(
    "rpt_tally",
    metadata,
    Column("movement_id", String(80), primary_key=True),
    Column("session_id", String(80), primary_key=True),
    Column("proposal_id", String(36), primary_key=True),
    Column("session_date", Date, nullable=False),
    Column("members_total", Integer, nullable=False),
    Column("present", Integer, nullable=False),
    Column("issued", Integer, nullable=False),
    Column("returned", Integer, nullable=False),
    Column("valid", Integer, nullable=False),
    Column("yes", Integer, nullable=False),
    Column("written_yes", Integer, nullable=False),
    Column("passed", Boolean),  # None until the outcome is recorded
    Column("quorum_met", Boolean),
    Column("threshold", String(20)),
    Column("threshold_strict", Boolean),
    Column("sequence", BigInteger, nullable=False),
    Column("event", Text, nullable=False),
    Column("outcome_event", Text),
    Column("outcome_sequence", BigInteger),
)

decisions = Table(
    "rpt_decision",
    metadata,
    Column("decision_id", String(36), primary_key=True),
    Column("movement_id", String(80), nullable=False),
    Column("number", String(40), nullable=False),
    Column("signed_on", Date, nullable=False),
    Column("signer_name", Text, nullable=False),
    Column("award_code", String(40), nullable=False),
    Column("proposals", Integer, nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("event", Text, nullable=False),
)

awards = Table(
    "rpt_award",
    metadata,
    Column("award_id", String(36), primary_key=True),
    Column("movement_id", String(80), nullable=False),
    Column("decision_id", String(36), nullable=False),
    Column("proposal_id", String(36), nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("payload", Text, nullable=False),
    Column("event", Text, nullable=False),
)
Index("rpt_award_decision", awards.c.decision_id)

documents = Table(
    "rpt_document",
    metadata,
    Column("document_id", String(36), primary_key=True),
    Column("movement_id", String(80), nullable=False),
    Column("doc_type", String(40), nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("payload", Text, nullable=False),
)

forwarded = Table(
    "rpt_forwarded",
    metadata,
    # The city's Tờ trình upward (ProposalsForwarded), one row per proposal it carries.
    Column("submission_id", String(36), primary_key=True),
    Column("proposal_id", String(36), primary_key=True),
    Column("movement_id", String(80), nullable=False),
    Column("number", String(40), nullable=False),
    Column("signed_on", Date, nullable=False),
    Column("answer", String(20)),  # decided / rejected, once the higher level answers
    Column("answered_on", Date),
    Column("answer_ref", Text),
    Column("sequence", BigInteger, nullable=False),
)

records = Table(
    "rpt_record",
    metadata,
    # The criteria's inputs (ratings, discipline, initiatives, prior awards, headcounts), as
    # their payload, for the báo cáo thành tích and the award history.
    Column("sequence", BigInteger, primary_key=True),
    Column("movement_id", String(80), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("subject_id", String(80), nullable=False),
    Column("unit_id", String(80), nullable=False),
    Column("year", Integer),
    Column("payload", Text, nullable=False),
)
Index("rpt_record_subject", records.c.subject_id)

identities = Table(
    "rpt_identity",
    metadata,
    # Reorganisations: a transfer, rename, merger or split, per subject it touches; a history
    # follows these links so that a unit's or a person's awards survive them.
    Column("sequence", BigInteger, primary_key=True),
    Column("subject_id", String(80), primary_key=True),
    Column("movement_id", String(80), nullable=False),
    Column("kind", String(20), nullable=False),  # transfer, rename, merge, split
    Column("related_id", String(80)),  # the unit continued by, merged into, moved to
    Column("effective_on", Date, nullable=False),
    Column("text", Text, nullable=False),
)
Index("rpt_identity_related", identities.c.related_id)

revocations = Table(
    "rpt_revocation",
    metadata,
    Column("award_id", String(36), primary_key=True),
    Column("movement_id", String(80), nullable=False),
    Column("decision_number", String(40), nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("sequence", BigInteger, nullable=False),
)

city_reports = Table(
    "rpt_city_report",
    metadata,
    Column("report_id", String(36), primary_key=True),
    Column("movement_id", String(80), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("number", String(40)),
    Column("signed_on", Date, nullable=False),
    Column("sequence", BigInteger, nullable=False),
)

figures = Table(
    "rpt_figure",
    metadata,
    # A unit's reported figure per target and round (the latest version of its report), and
    # what it committed to at registration: the report upward compares the two.
    Column("movement_id", String(80), primary_key=True),
    Column("unit_id", String(80), primary_key=True),
    Column("round", String(20), primary_key=True),  # "" for the registered commitment
    Column("target_code", String(80), primary_key=True),
    Column("value", String(40), nullable=False),
    Column("unit_of_measure", Text, nullable=False),
)

block_leaders = Table(
    "rpt_block_leader",
    metadata,
    Column("movement_id", String(80), primary_key=True),
    Column("block_id", String(80), primary_key=True),
    Column("round", String(20), primary_key=True),
    Column("leader_unit_id", String(80)),
    Column("honoured_on", Date),  # the block meeting's ballot, when one was needed
    Column("sequence", BigInteger, nullable=False),
)

block_ranks = Table(
    "rpt_block_rank",
    metadata,
    # The block's ranking as scoring decided it when the round closed: ties broken by the rules
    # (full-score criteria), and a unit disqualified with its reason rather than a rank.
    Column("movement_id", String(80), primary_key=True),
    Column("block_id", String(80), primary_key=True),
    Column("round", String(20), primary_key=True),
    Column("unit_id", String(80), primary_key=True),
    Column("rank", Integer, nullable=False),
    Column("disqualified", Text),
)

# -- issuing -------------------------------------------------------------------------------

counters = Table(
    "rpt_counter",
    metadata,
    # NĐ30 Điều 15: numbers run per issuing body per calendar year.
    Column("series", String(40), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last", Integer, nullable=False),
)

session_papers = Table(
    "rpt_session_papers",
    metadata,
    Column("movement_id", String(80), primary_key=True),
    Column("session_id", String(80), primary_key=True),
    Column("minutes_number", String(40), nullable=False),
    Column("submission_number", String(40)),  # None when no nominee passed
    Column("submission_date", Date, nullable=False),
    Column("decision_id", String(36), nullable=False),
)

READ_MODELS = (
    movements,
    units,
    registrations,
    rounds,
    reports,
    score_sheets,
    nominations,
    tallies,
    decisions,
    awards,
    documents,
    forwarded,
    records,
    identities,
    revocations,
    city_reports,
    figures,
    block_leaders,
)
