/**
 * Stand-in for the transaction engine while firmware/txn/engine.ts is not built in: refuses
 * every command with OUT_NOT_SIGNED_IN, so the terminal boots, its menus, reprint and query
 * screens work, and nothing pretends to reach a host. Used only by firmware/main.ts makeEngine().
 */
import {
  TxnEngineApi,
  TxnResult,
  OUT_NOT_SIGNED_IN,
  TXN_SALE,
  TXN_VOID,
  TXN_REFUND,
  TXN_BALANCE,
  TXN_SETTLE,
  TXN_SIGN_IN,
  TXN_REVERSAL,
} from "../txn/engine-api";
import type { CardData } from "../txn/card-data";
import { MSG_OUT_NOT_SIGNED_IN } from "../ui/messages.gen";

export class OfflineEngine implements TxnEngineApi {
  readonly result = new TxnResult();
  private readonly listener: { onResult(r: TxnResult): void };

  constructor(listener: { onResult(r: TxnResult): void }) {
    this.listener = listener;
  }

  busy(): boolean {
    return false;
  }
  signedIn(): boolean {
    return false;
  }
  signIn(): boolean {
    return this.refuse(TXN_SIGN_IN, 0);
  }
  sale(amountFen: number, _card: CardData, _pin: Uint8Array | null): boolean {
    return this.refuse(TXN_SALE, amountFen);
  }
  balance(_card: CardData, _pin: Uint8Array | null): boolean {
    return this.refuse(TXN_BALANCE, 0);
  }
  voidSale(_trace: number): boolean {
    return this.refuse(TXN_VOID, 0);
  }
  refund(amountFen: number, _card: CardData, _rrn: Uint8Array, _mmdd: number): boolean {
    return this.refuse(TXN_REFUND, amountFen);
  }
  settle(): boolean {
    return this.refuse(TXN_SETTLE, 0);
  }
  sendReversal(): boolean {
    return this.refuse(TXN_REVERSAL, 0);
  }
  makePinBlock(_pin: Uint8Array, _len: number, _card: CardData): Uint8Array | null {
    return null;
  }
  cardRemoved(): void {}
  complete(): void {}
  cancel(): void {}
  tick(_now: number): void {}
  onLinkUp(): void {}
  onLinkData(_data: string): void {}
  onLinkDown(): void {}

  private refuse(type: number, amount: number): boolean {
    const r = this.result;
    r.type = type;
    r.outcome = OUT_NOT_SIGNED_IN;
    r.msgId = MSG_OUT_NOT_SIGNED_IN;
    r.amount = amount;
    this.listener.onResult(r);
    return false;
  }
}
