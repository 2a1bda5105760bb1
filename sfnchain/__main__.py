from sfnchain.cli import main

main()
