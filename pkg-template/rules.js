// Made by src/bin/write-dts.rs from the models' declarations (src/models/): do not edit.
/** Each model's normalised fields, in the order they are written: [JSON name, rule, the field a "textOr" falls back to]. */
export const MODELS = {
  contact: [["id", "id"], ["type", "contactType"], ["user_id", "text"], ["email", "text"], ["name", "text"], ["phone", "text"], ["unsubscribed_from_emails", "boolean"], ["created_at", "timestamp"], ["updated_at", "timestamp"], ["signed_up_at", "timestamp"], ["last_seen_at", "timestamp"]],
  campaign: [["id", "id"], ["name", "text"], ["status", "text"], ["created_at", "timestamp"], ["updated_at", "timestamp"], ["active_subscriber_count", "whole"], ["unsubscribed_subscriber_count", "whole"], ["email_count", "whole"], ["email_open_rate", "text"], ["email_click_rate", "text"]],
  segment: [["id", "id"], ["name", "text"], ["created_at", "timestamp"], ["updated_at", "timestamp"], ["count", "wholeIfKnown"]],
  tag: [["id", "id"], ["name", "textOrEmpty"]],
  event: [["name", "textOr", "event_name"], ["occurred_at", "timestamp"], ["id", "wholeIfKnown"]],
};
/** Each list: the key of its answer's array, its items' model, and the only contact type it keeps. */
export const LISTS = {
  users: ["contacts", "contact", "user"],
  leads: ["contacts", "contact", "lead"],
  tags: ["tags", "tag", null],
  segments: ["segments", "segment", null],
  campaigns: ["campaigns", "campaign", null],
  events: ["events", "event", null],
};
