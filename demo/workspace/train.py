"""Fit y = w*x + b to data/points.csv by gradient descent (standard library only)."""
import argparse
import csv
from pathlib import Path


def load(path: Path) -> list[tuple[float, float]]:
    with path.open(newline="") as f:
        return [(float(row["x"]), float(row["y"])) for row in csv.DictReader(f)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--data", type=Path, default=Path(__file__).parent / "data" / "points.csv")
    args = parser.parse_args()

    points = load(args.data)
    w = b = 0.0
    n = len(points)
    for epoch in range(args.epochs):
        grad_w = sum(2 * (w * x + b - y) * x for x, y in points) / n
        grad_b = sum(2 * (w * x + b - y) for x, y in points) / n
        w -= args.lr * grad_w
        b -= args.lr * grad_b
        loss = sum((w * x + b - y) ** 2 for x, y in points) / n
        # Labbook logs these lines as metrics when it launches the script (no mlflow needed).
        print(f"labbook: metric loss={loss:.6f} step={epoch}")
    print(f"w={w:.4f} b={b:.4f}")
    print(f"labbook: metric w={w:.6f} b={b:.6f}")


if __name__ == "__main__":
    main()
