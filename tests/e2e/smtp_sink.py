"""A real SMTP server for the mail tests (aiosmtpd, loopback): every
accepted message is written to OUTDIR/NNNNNN.eml as received (envelope in
OUTDIR/NNNNNN.rcpt). Scripted answers: --data-replies "451,421" answers the
first DATA commands with those codes, then 250; --reject ADDR answers 550
to RCPT TO:<ADDR>. Prints "ready PORT" on stdout once listening.

    python3 smtp_sink.py OUTDIR PORT [--data-replies 451,421] [--reject a@x.org]
"""
import argparse
import os
import sys
import time

from aiosmtpd.controller import Controller

MESSAGES = {
    421: "421 4.3.2 Service shutting down, try later",
    451: "451 4.3.0 Local problem, try again later",
    452: "452 4.3.1 Insufficient storage",
    550: "550 5.1.1 Mailbox unavailable",
    554: "554 5.7.1 Message refused",
}


class Sink:
    def __init__(self, outdir, data_replies, reject):
        self.outdir = outdir
        self.data_replies = list(data_replies)
        self.reject = {a.lower() for a in reject}
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 <%s>: Recipient address rejected: no such user" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_replies:
            code = self.data_replies.pop(0)
            return MESSAGES.get(code, "%d scripted answer" % code)
        self.count += 1
        base = os.path.join(self.outdir, "%06d" % self.count)
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".rcpt", "w") as f:
            f.write(envelope.mail_from + "\n" + "\n".join(envelope.rcpt_tos) + "\n")
        os.rename(base + ".tmp", base + ".eml")
        return "250 2.0.0 Ok: queued as %06d" % self.count


def main():
    p = argparse.ArgumentParser()
    p.add_argument("outdir")
    p.add_argument("port", type=int)
    p.add_argument("--data-replies", default="")
    p.add_argument("--reject", action="append", default=[])
    a = p.parse_args()
    replies = [int(x) for x in a.data_replies.split(",") if x]
    ctl = Controller(Sink(a.outdir, replies, a.reject), hostname="127.0.0.1", port=a.port,
                     decode_data=False)
    ctl.start()
    print("ready", a.port, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        ctl.stop()


if __name__ == "__main__":
    sys.exit(main())
