from zhenggai.cli import main

main()
