from sfnchain.cli import run

run()
