"""The mapping file's model: which source field feeds which WeCom field, and how (pydantic).

The YAML file is read by ``mapping_file.load_mapping`` (which names lines in errors); its JSON
Schema (``mapping_json_schema()``) is checked in as docs/mapping.schema.json for editors.
"""

from __future__ import annotations

import json
from typing import Any, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "NAMED_STEPS",
    "Condition",
    "DepartmentRecordsSpec",
    "DepartmentSpec",
    "DepartmentsSpec",
    "FieldSpec",
    "FieldValue",
    "InputBlock",
    "LeaderSpec",
    "LeaversSpec",
    "MapStep",
    "MappingFile",
    "MembersSpec",
    "PythonStep",
    "ReplaceStep",
    "SplitStep",
    "Step",
    "TagsSpec",
    "mapping_json_schema",
]

NamedStep = Literal["trim", "lower", "upper", "mobile", "gender", "boolean", "email_local_part",
                    "digits"]
NAMED_STEPS: tuple[str, ...] = get_args(NamedStep)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class MapStep(_Strict):
    """An enum map: a source value → the WeCom value (``{map: {在职: "1", 离职: "0"}}``)."""

    map: dict[str, str]
    default: str | None = Field(None, description="for values not in the map; without it, an "
                                "unknown value is a row error (unless keep_unknown)")
    keep_unknown: bool = False


class ReplaceStep(_Strict):
    """Replace text (``{replace: {"（": "(", "）": ")"}}``), literally, in order."""

    replace: dict[str, str]


class SplitStep(_Strict):
    """Text → a list at each separator (empty items dropped); later steps apply per item."""

    split: str = Field(min_length=1)


class PythonStep(_Strict):
    """A plug-in: ``module:function`` or ``file.py:function`` (relative to the mapping file),
    called as ``function(value, record)`` → the new value; a ValueError is a row error."""

    python: str = Field(pattern=r"^[^:]+:[A-Za-z_][A-Za-z0-9_]*$")


Step = Union[NamedStep, MapStep, ReplaceStep, SplitStep, PythonStep]  # noqa: UP007


class FieldSpec(_Strict):
    """Where a value comes from (one of column / template / value), then transforms."""

    column: str | None = Field(None, description="the source field (column header, LDAP "
                               "attribute, SQL column)")
    template: str | None = Field(None, description="text with {field} placeholders, e.g. "
                                 "'E{工号}' or '{邮箱|email_local_part|lower}'")
    value: str | None = Field(None, description="a constant")
    transforms: list[Step] = Field(default_factory=list)
    default: str | None = Field(None, description="used when the value is empty")
    required: bool = Field(False, description="an empty value is a row error")

    @model_validator(mode="after")
    def _one_origin(self) -> FieldSpec:
        given = [k for k in ("column", "template", "value") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of column, template, value"
                             + (f" (not {' and '.join(given)})" if given else ""))
        return self


FieldValue = Union[str, FieldSpec]  # noqa: UP007 (a bare string is a column name)


class Condition(_Strict):
    """A test on one source field (after trimming); every test given must hold."""

    column: str
    in_: list[str] | None = Field(None, alias="in")
    not_in: list[str] | None = None
    equals: str | None = None
    not_equals: str | None = None
    matches: str | None = Field(None, description="a regular expression the whole value "
                                "matches")
    empty: bool | None = Field(None, description="true: the value is empty; false: it is not")

    @model_validator(mode="after")
    def _some_test(self) -> Condition:
        if all(getattr(self, k) is None for k in ("in_", "not_in", "equals", "not_equals",
                                                   "matches", "empty")):
            raise ValueError("a condition needs a test: in, not_in, equals, not_equals, "
                             "matches or empty")
        return self


class LeaversSpec(_Strict):
    """Which rows are leavers and what they mean."""

    when: list[Condition] = Field(min_length=1, description="all must hold")
    action: Literal["disable", "delete"] = Field(description="disable: kept, with enable "
                                                 "false; delete: left out, so the plan deletes "
                                                 "the member (deletion caps apply)")


class DepartmentSpec(_Strict):
    """A member's departments: one path column, several level columns, or an id column."""

    path: str | None = Field(None, description="a column holding a path (several paths "
                             "separated by list_separator)")
    levels: list[str] | None = Field(None, min_length=1, description="columns holding level "
                                     "1, 2, 3 … (empty trailing levels are left out)")
    id: str | None = Field(None, description="a column holding WeCom department ids")
    key: str | None = Field(None, description="a column holding the key of the member's "
                            "department record (departments.records.key, e.g. an HR "
                            "department number)")
    separator: str = Field("/", min_length=1, description="between the names of a path")
    list_separator: str = Field(";", min_length=1, description="between several paths or ids")
    root: str | None = Field(None, description="the root department's name, put in front of "
                             "every path (HR paths seldom name the company)")
    transforms: list[Step] = Field(default_factory=list, description="applied to the column "
                                   "value(s) before splitting into names")

    @model_validator(mode="after")
    def _one_origin(self) -> DepartmentSpec:
        given = [k for k in ("path", "levels", "id", "key") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of path, levels, id, key")
        if (self.id is not None or self.key is not None) and self.root is not None:
            raise ValueError("root applies to paths, not to department ids or keys "
                             "(set departments.records.root)")
        return self


class LeaderSpec(_Strict):
    """The direct leader: a column holding the manager's key, matched against a field of the
    manager's own row (an employee number), or holding userids when match is not given."""

    column: str
    match: str | None = Field(None, description="the field of the manager's row the column "
                              "names (e.g. 工号); without it the column holds userids")
    separator: str = Field(";", min_length=1, description="between several leaders")


class TagsSpec(_Strict):
    """Tags from a list column: each member is in the tags its cell names."""

    column: str
    separator: str = Field(";", min_length=1)
    transforms: list[Step] = Field(default_factory=list)


class MembersSpec(_Strict):
    """The members: one per kept record."""

    userid: FieldValue
    name: FieldValue
    alias: FieldValue | None = None
    mobile: FieldValue | None = None
    email: FieldValue | None = None
    biz_mail: FieldValue | None = None
    position: FieldValue | None = None
    gender: FieldValue | None = None
    telephone: FieldValue | None = None
    address: FieldValue | None = None
    external_position: FieldValue | None = None
    enable: FieldValue | None = None
    department: DepartmentSpec | None = None
    leader: FieldValue | None = Field(None, description="leader in the member's departments "
                                      "(a boolean value)")
    direct_leader: LeaderSpec | None = None
    tags: TagsSpec | None = None
    extattr: dict[str, FieldValue] = Field(default_factory=dict, description="custom text "
                                           "attributes: attribute name → value")
    drop: list[Condition] = Field(default_factory=list, description="rows matching any of "
                                  "these are left out first (contractors)")
    leavers: LeaversSpec | None = None
    only: list[Condition] = Field(default_factory=list, description="then only rows matching "
                                  "all of these are kept (leavers excepted)")
    empty: Literal["keep", "clear"] = Field("keep", description="an empty value: keep the "
                                            "live value (not managed) or clear it")


class DepartmentRecordsSpec(_Strict):
    """Department records of their own (an SQL departments query, a department sheet or
    file): each one department, named by its path or by its key and its parent's key."""

    path: str | None = Field(None, description="a column holding the department's path")
    key: str | None = Field(None, description="a column holding the department's key (an HR "
                            "department number), unique; members.department.key names it")
    parent: str | None = Field(None, description="with key: a column holding the parent's "
                               "key (empty for a top department)")
    name: str | None = Field(None, description="with key: a column holding the department's "
                             "own name")
    separator: str = Field("/", min_length=1, description="between the names of a path")
    root: str | None = Field(None, description="the root department's name, put in front of "
                             "every path (top departments then sit under it)")
    order: str | None = Field(None, description="a column holding the order among its "
                              "siblings (a whole number; WeCom shows higher first)")
    name_en: str | None = Field(None, description="a column holding the English name")
    id: str | None = Field(None, description="a column holding the WeCom department id, where "
                           "HR keeps it: a department renamed or moved in HR is then renamed "
                           "or moved in WeCom, not created anew")
    leaders: str | None = Field(None, description="a column naming the department's heads "
                                "(several separated by ';'): the members are marked leaders "
                                "in it (WeCom's is_leader_in_dept)")
    leaders_match: str | None = Field(None, description="the field of a member's row the "
                                      "leaders column names (e.g. emp_no, dn); without it the "
                                      "column holds userids")
    drop: list[Condition] = Field(default_factory=list, description="records matching any of "
                                  "these are left out (a dissolved department)")

    @model_validator(mode="after")
    def _one_form(self) -> DepartmentRecordsSpec:
        if (self.path is None) == (self.key is None):
            raise ValueError("give either path, or key with name (and parent)")
        if self.key is not None and self.name is None:
            raise ValueError("a department named by key needs name (the column of its name)")
        if self.path is not None and (self.parent is not None or self.name is not None):
            raise ValueError("parent and name go with key, not with path")
        if self.leaders_match is not None and self.leaders is None:
            raise ValueError("leaders_match goes with leaders (the column naming the heads)")
        return self


class DepartmentsSpec(_Strict):
    """The department tree: the members' paths (and the department records, when given), or
    not managed."""

    manage: bool = Field(True, description="false: departments are not created, moved or "
                         "deleted; the members' departments must exist")
    records: DepartmentRecordsSpec | None = Field(None, description="read the source's "
                                                  "department records: the tree is theirs "
                                                  "and the members' paths together")

    @model_validator(mode="after")
    def _managed(self) -> DepartmentsSpec:
        if self.records is not None and not self.manage:
            raise ValueError("records need manage: true (they say what the tree is)")
        return self


class TagRecordsSpec(_Strict):
    """The source's tag records: each names a tag and the members in it (one per row, as a
    table of pairs holds them, or several in one cell)."""

    name: str = Field(description="a column holding the tag's name")
    members: str | None = Field(None, description="a column naming the tag's members "
                                "(several separated by separator); without it, or empty, "
                                "the record names the tag only")
    members_match: str | None = Field(None, description="the field of a member's row the "
                                      "members column names (e.g. emp_no); without it the "
                                      "column holds userids")
    separator: str = Field(";", min_length=1, description="between several members")
    id: str | None = Field(None, description="a column holding the WeCom tag id, where HR "
                           "keeps it: a tag renamed in HR is then renamed in WeCom")
    drop: list[Condition] = Field(default_factory=list, description="records matching any of "
                                  "these are left out")

    @model_validator(mode="after")
    def _matched(self) -> TagRecordsSpec:
        if self.members_match is not None and self.members is None:
            raise ValueError("members_match goes with members (the column naming them)")
        return self


class TagSection(_Strict):
    """The tags: the members' tag column (members.tags) and the tag records, together."""

    records: TagRecordsSpec | None = Field(None, description="read the source's tag "
                                           "records (an sql input's tags query, a csv or "
                                           "xlsx input's tags file or sheet)")


class InputBlock(BaseModel):
    """Where the records come from: a registered type and its options."""

    model_config = ConfigDict(extra="allow")
    type: str = Field(description="csv, xlsx (built in); ldap, sql (their own modules)")


class MappingFile(_Strict):
    """A mapping file."""

    version: int = Field(1, ge=1, le=1, description="1")
    input: InputBlock
    members: MembersSpec
    departments: DepartmentsSpec = Field(default_factory=DepartmentsSpec)
    tags: TagSection | None = Field(None, description="tag records beside the members' tag "
                                    "column; the tag section is managed when either is given")



def mapping_json_schema() -> str:
    """The JSON Schema of a mapping file, as checked in (docs/mapping.schema.json)."""
    schema: dict[str, Any] = MappingFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "wecom-contacts mapping file"
    schema["$comment"] = ("Generated by scripts/gen_mapping_schema.py from "
                          "wecom_contacts.sources.mapping: do not edit.")
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
