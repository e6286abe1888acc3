// Generated with index.d.ts (see there). The package's .d.ts includes this, so that its
// classes' signatures see the records; the package re-exports every one of them.
import type { NodeId, Timestamp, NodeName, JsonValue, Actor, Status, EffectiveStatus, Profile, Node, NewNode, NodeUpdate, Quota, ChildQuery, DescendantQuery, StatusFilter, SortBy, Direction, Page, Op, OpOutput, CheckReport, Finding, Schema, KindDef, ResourceDef, NameRule, Uniqueness, BillingScope, Preset, Durability, StoreOptions, ErrorInfo, LimitRule, Blocker, ErrorCode, ErrorDetailsOf, BatchDetails, TenantreeError, SyncAccessHandle } from "../../types/index.js";
export type * from "../../types/index.js";
