"""The console service: people of the registry sign in (passwords, sessions in HttpOnly cookies), and the
console reads who they are and the city's map data (grids, org tree, red map) from it."""
