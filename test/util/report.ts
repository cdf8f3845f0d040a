// A check's verdict and what it found, built up one comparison at a time. It crosses to Node as
// plain data ({ ok, messages } and whatever a handler adds beside them).

export interface CheckReport {
  ok: boolean;
  messages: string[];
}

export class Report implements CheckReport {
  ok = true;
  messages: string[] = [];

  /** Records a comparison (an allclose result, or any { ok, message }). */
  add(c: { ok: boolean; message: string }): this {
    this.messages.push(c.message);
    if (!c.ok) this.ok = false;
    return this;
  }

  fail(message: string): this {
    return this.add({ ok: false, message: `FAIL ${message}` });
  }

  note(message: string): this {
    this.messages.push(message);
    return this;
  }
}
