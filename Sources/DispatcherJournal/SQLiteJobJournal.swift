import GRDB
import MirsadProtocol
