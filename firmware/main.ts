// Boot placeholder: replaced by the board/driver wiring (issue 2).
print("pos-terminal boot");
