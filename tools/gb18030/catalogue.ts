/**
 * The message catalogue (firmware/ui/messages.json): `{ "ID": { "en": "...", "zh": "..." }, ... }`.
 * Order in the file is the numeric id order. ids are UPPER_SNAKE; `en` is printable ASCII (the
 * LCD and font A have nothing else); `zh` is what Chinese receipts print, encoded at build time.
 */
export interface Message {
  id: string;
  en: string;
  zh: string;
}

/** Parse and check the catalogue; throws one error listing every problem found. */
export function parseCatalogue(json: string, source: string): Message[] {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (e) {
    throw new Error(source + ": not valid JSON: " + (e as Error).message);
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) throw new Error(source + ": expected an object of id -> { en, zh }");
  const problems: string[] = [];
  const out: Message[] = [];
  for (const id of Object.keys(data)) {
    const entry = (data as Record<string, unknown>)[id] as Record<string, unknown>;
    if (!/^[A-Z][A-Z0-9_]*$/.test(id)) {
      problems.push(JSON.stringify(id) + ": id must be UPPER_SNAKE_CASE");
    } else {
      // JSON.parse keeps the last of duplicate keys silently; count them in the text instead.
      const dup = (json.match(new RegExp('"' + id + '"\\s*:', "g")) || []).length;
      if (dup > 1) problems.push(id + ": defined " + dup + " times");
    }
    if (!entry || typeof entry !== "object") {
      problems.push(id + ": expected { en, zh }");
      continue;
    }
    const extra = Object.keys(entry).filter((k) => k !== "en" && k !== "zh");
    if (extra.length) problems.push(id + ": unknown keys " + extra.join(", "));
    const en = entry.en;
    const zh = entry.zh;
    if (typeof en !== "string" || en.length === 0) problems.push(id + ": en must be a non-empty string");
    else if (!/^[\x20-\x7e]+$/.test(en)) problems.push(id + ": en must be printable ASCII");
    if (typeof zh !== "string" || zh.length === 0) problems.push(id + ": zh must be a non-empty string");
    if (typeof en === "string" && typeof zh === "string") out.push({ id, en, zh });
  }
  if (problems.length) throw new Error(source + ":\n  " + problems.join("\n  "));
  return out;
}
