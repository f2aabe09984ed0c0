"""A minimal, fast SMTP server for bench/bench_mail.sh: answers EHLO, MAIL,
RCPT, DATA, RSET, NOOP and QUIT on 127.0.0.1:PORT, counts the messages and
throws them away (optionally saving them into a folder, to replay the
same bytes with curl). Prints "ready" once listening; on SIGTERM prints the
count. Not for anything but measuring: no TLS, no AUTH, no checks.

    python3 bench/smtp_null.py PORT [SAVE_DIR]
"""
import asyncio
import os
import signal
import sys

count = 0


async def session(reader, writer, save_dir):
    global count
    writer.write(b"220 bench ESMTP\r\n")
    while True:
        line = await reader.readline()
        if not line:
            break
        cmd = line[:4].upper()
        if cmd in (b"EHLO", b"HELO"):
            writer.write(b"250-bench\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n")
        elif cmd == b"DATA":
            writer.write(b"354 go ahead\r\n")
            await writer.drain()
            chunks = []
            while True:
                data = await reader.readline()
                if not data or data == b".\r\n":
                    break
                if save_dir is not None:
                    chunks.append(data[1:] if data.startswith(b"..") else data)
            count += 1
            if save_dir is not None:
                with open(os.path.join(save_dir, "%06d.eml" % count), "wb") as f:
                    f.write(b"".join(chunks))
            writer.write(b"250 2.0.0 queued\r\n")
        elif cmd == b"QUIT":
            writer.write(b"221 bye\r\n")
            await writer.drain()
            break
        else:
            writer.write(b"250 ok\r\n")
        await writer.drain()
    writer.close()


async def main():
    port = int(sys.argv[1])
    save_dir = sys.argv[2] if len(sys.argv) > 2 else None
    server = await asyncio.start_server(lambda r, w: session(r, w, save_dir), "127.0.0.1", port)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    async with server:
        await stop.wait()
    print(count, flush=True)


asyncio.run(main())
