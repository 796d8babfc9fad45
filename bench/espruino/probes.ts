/**
 * Small scripts the bench puts in Storage before (or after) the models bundle, to watch the
 * firmware from inside the interpreter. ES5 text, kept short: each is evaluated from flash.
 *
 * PROBE (before models and firmware): `__B` counts
 *   - the firmware's loop: every setInterval callback is timed (n, seconds total, longest);
 *   - every setTimeout and socket callback (key taps and model timers, host replies) and the
 *     models' UART delivery interval (a function marked `hilUart`, hil/inside/main.ts) is timed;
 *   - memory in use after a collection (process.memory()) sampled before and after each of
 *     those callbacks: `pk` is the highest sample, i.e. the peak of live data at event
 *     boundaries. Collected, because without it the samples mostly count garbage (the UART
 *     model's delivered chunks, strings a receipt was built from) that the interpreter frees by
 *     itself when it needs the blocks: what must fit is what is live. The device models' live
 *     data is counted in (a few queued bytes: a slight over-estimate); what the printer model
 *     keeps of the paper it printed (`__P`, set by MODEL_CLOCK) is left out: that is the model's
 *     record of the receipts, not the firmware's memory.
 * MODEL_CLOCK (after models, before firmware): the time spent inside the device models (the
 * pins, the I2C bus, the UART devices) is counted in `__M`, so the firmware's own time is the
 * callbacks' time minus the models'.
 * Both add a closure per pending timer and a few blocks: boot figures come from boots without
 * them; with them the bench reports differences against the idle state of the same boot.
 */

export const PROBE = [
  "global.__B={pk:0,pw:0,pf:0,n:0,t:0,max:0,cb:0,ct:0};",
  "(function(){var B=__B,si=setInterval,st=setTimeout,rq=require;",
  "function m(k){var a=process.memory().usage,u=a;if(global.__P)u-=E.getSizeOf(__P.printedLines)+E.getSizeOf(__P.cutsAt);if(u>B.pk){B.pk=u;B.pw=k;}if(global.__R){a-=E.getSizeOf(__R);if(a>B.pf)B.pf=a;}}",
  "function w(f,k){return function(a,b){m(k);var s=getTime();f.call(this,a,b);B.ct+=getTime()-s;B.cb++;m(k);};}",
  "global.setInterval=function(f,ms){if(f.hilUart)return si(w(f,4),ms);return si(function(){m(1);var s=getTime();f();var d=getTime()-s;B.n++;B.t+=d;if(d>B.max)B.max=d;m(1);},ms);};",
  "global.setTimeout=function(f,ms){return st(w(f,2),ms);};",
  'global.require=function(n){var r=rq(n);if(n!=="net")return r;return{connect:function(o,cb){var s=r.connect(o,w(cb,3));var on=s.on;s.on=function(e,h){return on.call(s,e,w(h,3));};return s;}};};',
  "})();",
].join("");

export const MODEL_CLOCK = [
  "global.__M={t:0,n:0,d:0};global.__P=hil.models.printer;global.__R=[global['\\xFF'].timers,hil,hilBuses,__B,__M];",
  "(function(){var M=__M;",
  // nested model calls (onReceive -> pump) are timed once, at the outermost
  "function w(o,k){var f=o[k];o[k]=function(a,b){var s=M.d++===0?getTime():0;try{return f.call(o,a,b);}finally{if(--M.d===0)M.t+=getTime()-s;M.n++;}};}",
  "var B=hilBuses,i;",
  "for(i=0;i<B.keypadRows.length;i++){w(B.keypadRows[i],'write');w(B.keypadRows[i],'mode');w(B.keypadRows[i],'read');}",
  "for(i=0;i<B.keypadCols.length;i++){w(B.keypadCols[i],'write');w(B.keypadCols[i],'mode');w(B.keypadCols[i],'read');}",
  "w(B.lcdI2c,'writeTo');w(B.lcdI2c,'readFrom');w(B.iccPresent,'read');w(B.iccPresent,'mode');",
  "if(B.printerBusy){w(B.printerBusy,'read');w(B.printerBusy,'mode');}",
  "var d=hil.models;w(d.printer,'onReceive');w(d.printer,'pump');w(d.icc,'onReceive');w(d.icc,'reply');w(d.msr,'onReceive');",
  "w(d.keypad,'press');w(d.keypad,'release');w(d.keypad,'setContact');",
  "})();",
].join("");

/** The counters as one JSON-able snapshot (evaluated on the target). */
export const READ_PROBES = "[__B.pk,__B.pw,__B.n,__B.t,__B.max,__B.cb,__B.ct,__M.t,__M.n,process.memory().usage-E.getSizeOf(__P.printedLines)-E.getSizeOf(__P.cutsAt),__B.pf,process.memory().usage-E.getSizeOf(__R)]";
export const RESET_PROBES = "(__B.pk=0,__B.pw=0,__B.pf=0,__B.n=0,__B.t=0,__B.max=0,__B.cb=0,__B.ct=0,__M.t=0,__M.n=0)";

export interface ProbeSnapshot {
  /** Highest memory sample since the last reset (blocks), and where: 1 loop tick, 2 timer, 3 socket. */
  peak: number;
  peakWhere: number;
  ticks: number;
  tickSeconds: number;
  longestTick: number;
  callbacks: number;
  callbackSeconds: number;
  modelSeconds: number;
  modelCalls: number;
  /** Memory in use now (collected), the printer model's paper left out. */
  usage: number;
  /**
   * The same without the rig: live blocks minus what the rig's roots reach (`__R`: pending
   * timers with their callbacks, `hil` with the device models, the buses, these counters). Highest
   * sample since the reset, and now. The firmware's own share; an under-estimate only if the
   * firmware's changing data were reachable from the rig, which its buses' handlers are not
   * (they are global-scope functions, no scope to reach through).
   */
  firmwarePeak: number;
  firmwareUsage: number;
}

export function probeSnapshot(v: unknown): ProbeSnapshot {
  const a = v as number[];
  return { peak: a[0], peakWhere: a[1], ticks: a[2], tickSeconds: a[3], longestTick: a[4], callbacks: a[5], callbackSeconds: a[6], modelSeconds: a[7], modelCalls: a[8], usage: a[9], firmwarePeak: a[10], firmwareUsage: a[11] };
}

/** The firmware's own CPU seconds in a snapshot: its loop and callbacks minus the models' time. */
export function firmwareSeconds(s: ProbeSnapshot): number {
  return s.tickSeconds + s.callbackSeconds - s.modelSeconds;
}
