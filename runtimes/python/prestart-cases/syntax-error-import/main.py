print("before import")
import broken
