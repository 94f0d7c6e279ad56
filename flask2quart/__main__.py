from flask2quart.cli import console

console()
