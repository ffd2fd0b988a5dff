// Undo / redo over immutable snapshots.

/**
 * A bounded undo history of snapshots (any JSON-like values, treated as immutable).
 * @template T
 */
export class History {
  /**
   * @param {T} initial
   * @param {{limit?: number}} [options]
   */
  constructor(initial, { limit = 200 } = {}) {
    /** @type {T[]} */
    this.past = [];
    /** @type {T[]} */
    this.future = [];
    this.present = initial;
    this.limit = limit;
  }

  /**
   * Record a new state; clears the redo stack. Equal states (by JSON) are ignored.
   * @param {T} state
   * @returns {boolean} whether the state was recorded
   */
  push(state) {
    if (JSON.stringify(state) === JSON.stringify(this.present)) return false;
    this.past.push(this.present);
    if (this.past.length > this.limit) this.past.shift();
    this.present = state;
    this.future = [];
    return true;
  }

  get canUndo() {
    return this.past.length > 0;
  }

  get canRedo() {
    return this.future.length > 0;
  }

  /** @returns {T} the state after undoing (unchanged when there is nothing to undo) */
  undo() {
    if (!this.past.length) return this.present;
    this.future.push(this.present);
    this.present = /** @type {T} */ (this.past.pop());
    return this.present;
  }

  /** @returns {T} the state after redoing */
  redo() {
    if (!this.future.length) return this.present;
    this.past.push(this.present);
    this.present = /** @type {T} */ (this.future.pop());
    return this.present;
  }

  /**
   * Start over from a state (new task).
   * @param {T} state
   */
  reset(state) {
    this.past = [];
    this.future = [];
    this.present = state;
  }
}
