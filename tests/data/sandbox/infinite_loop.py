"""Never returns: the wall clock (or the CPU-time limit) must stop it."""


def forward(x):
    n = 0
    while True:
        n += 1
