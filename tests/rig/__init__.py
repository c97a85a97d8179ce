"""The topology rig: several `benchshare serve` behind nginx, schedulers, a replica, one machine."""
