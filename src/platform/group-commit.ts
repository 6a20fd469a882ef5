/**
 * Group commit for reservations (a flash sale sends hundreds of buyers at ONE stock row).
 *
 * Why a hand-written batcher: with one transaction per buyer, every buyer waits for the row lock,
 * then for the previous buyer's commit to reach disk (a WAL flush, ~1-2 ms), so 500 buyers queue
 * for the better part of a second. Here, calls queue up in memory; one loop takes up to `maxBatch`
 * waiting calls and hands them to `run`, which decides them all in ONE database transaction (one
 * WAL flush for the whole batch), then every caller's promise settles with its own answer. Pools
 * and ORMs batch queries, not decisions inside one transaction, so no library does this for us.
 *
 * `maxInFlight` bounds how many batches run at once (1 = strict first come, first served inside a
 * process; the baseline measurement uses maxBatch 1 and many in flight, which is exactly "one
 * transaction per reservation").
 *
 * `windowMs` (default 0) lets a batch that could start wait for company: it starts when `maxBatch`
 * calls wait or when its oldest call has waited `windowMs`, whichever comes first. So no call
 * waits longer than the window for its batch to start (the bound a lone caller pays); with 0 a
 * batch starts at once and only the calls that arrive while batches run are grouped.
 */
export type BatchRunner<Req, Res> = (batch: ReadonlyArray<Req>) => Promise<ReadonlyArray<Res>>;

type Waiting<Req, Res> = { req: Req; since: number; resolve: (res: Res) => void; reject: (err: unknown) => void };

export type BatcherOptions = Readonly<{ maxBatch: number; maxInFlight: number; windowMs?: number }>;

export class GroupCommitBatcher<Req, Res> {
  private readonly waiting: Array<Waiting<Req, Res>> = [];
  private inFlight = 0;
  private windowTimer: NodeJS.Timeout | null = null;
  /** Batches run so far and the calls they carried: for tests and the benchmark. */
  readonly stats = { batches: 0, calls: 0, largestBatch: 0 };

  constructor(
    private readonly run: BatchRunner<Req, Res>,
    private readonly options: BatcherOptions,
  ) {}

  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.waiting.push({ req, since: performance.now(), resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.waiting.length > 0 && this.inFlight < this.options.maxInFlight) {
      if (this.holdForCompany()) return;
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight++;
      this.stats.batches++;
      this.stats.calls += batch.length;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
      void this.execute(batch);
    }
  }

  /** True while a short batch should wait for more calls (see `windowMs`); arms the timer that ends the wait. */
  private holdForCompany(): boolean {
    const windowMs = this.options.windowMs ?? 0;
    if (windowMs <= 0 || this.waiting.length >= this.options.maxBatch) return false;
    const left = this.waiting[0]!.since + windowMs - performance.now();
    if (left <= 0) return false;
    this.windowTimer ??= setTimeout(() => {
      this.windowTimer = null;
      this.pump();
    }, Math.ceil(left));
    return true;
  }

  private async execute(batch: Array<Waiting<Req, Res>>): Promise<void> {
    try {
      const results = await this.run(batch.map((w) => w.req));
      batch.forEach((w, i) => {
        const res = results[i];
        if (res === undefined) w.reject(new Error('group commit: the batch gave no answer for a call'));
        else w.resolve(res);
      });
    } catch (err) {
      // The transaction rolled back: nothing in it happened, and every caller hears so.
      for (const w of batch) w.reject(err);
    } finally {
      this.inFlight--;
      // Calls that arrived while this batch ran form the next one.
      this.pump();
    }
  }
}
