"""The desk's settings (``provenance desk show`` and ``desk set``): whether publishing needs a second person,
whether identities are declared or verified."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from provenance import workflow
from provenance.access import Permission
from provenance.export import board as shown
from provenance.web.deps import DeskDep, needs

router = APIRouter(tags=["desk"])


class SettingChange(BaseModel):
    """The setting's new value, and why (it is logged with its reason)."""

    model_config = ConfigDict(extra="forbid")
    value: str
    reason: str


@router.get("/desk/settings", **needs(Permission.READ))
def desk_settings(desk: DeskDep) -> list[dict[str, Any]]:
    """Every desk setting, its value, and who set it when."""
    with desk.reading() as session:
        return [shown.desk_record(v) for v in workflow.desk_settings(session)]


@router.put("/desk/settings/{name}", **needs(Permission.DESK_SETTINGS))
def set_desk_setting(name: str, body: SettingChange, desk: DeskDep) -> dict[str, Any]:
    """Set a desk setting, saying why."""
    with desk.writing() as session:
        result, changed = workflow.set_desk_setting(session, name, body.value, reason=body.reason)
    return {**shown.desk_record(result), "changed": changed}
