"""Loading rule packs shipped with the service; the hash is of the file's exact bytes."""

from __future__ import annotations

import hashlib
from importlib.resources import files

import yaml

from thidua_contracts.envelope import RulesRef

from ..domain.rule_pack import RulePack


def load(pack_id: str) -> tuple[RulePack, RulesRef]:
    resource = files("thidua_nominations").joinpath("rules", f"{pack_id}.yaml")
    data = resource.read_bytes()
    pack = RulePack.model_validate(yaml.safe_load(data))
    if pack.id != pack_id:
        raise ValueError(f"rule pack file {pack_id}.yaml declares id {pack.id}")
    ref = RulesRef(id=pack.id, version=pack.version, sha256=hashlib.sha256(data).hexdigest())
    return pack, ref


def load_all() -> dict[str, tuple[RulePack, RulesRef]]:
    """Every pack shipped with the service, by id; a movement names the one it is judged by."""
    folder = files("thidua_nominations").joinpath("rules")
    ids = sorted(f.name.removesuffix(".yaml") for f in folder.iterdir() if f.name.endswith(".yaml"))
    return {pack_id: load(pack_id) for pack_id in ids}
