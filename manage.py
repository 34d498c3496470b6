#!/usr/bin/env python3
from guanhuai.cli import main

if __name__ == "__main__":
    main()
