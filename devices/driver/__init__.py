"""The pump driver: New Era RS-232 pumps (and our simulator) over any pyserial URL.

Qt-free. `PumpPoller` runs one pump on a worker thread and is what the station uses;
`probe` is the set-up tool behind `infusion-station probe PORT`. See docs/driver.md.
"""
