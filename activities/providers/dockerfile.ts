/**
 * The image every docker deployment runs: the built app on nginx, unprivileged. Client-side routes
 * (paths without an extension) get the app shell; a missing asset stays a 404 so a broken build
 * shows up in the health check instead of as a blank page served with 200.
 */
export const APP_PORT = 8080;

export const generatedDockerfile = `FROM nginxinc/nginx-unprivileged:1.27-alpine
COPY nginx.conf /etc/nginx/conf.d/default.conf
COPY dist/ /usr/share/nginx/html/
EXPOSE ${APP_PORT}
`;

export const generatedNginxConf = `server {
  listen ${APP_PORT};
  root /usr/share/nginx/html;
  location /assets/ { try_files $uri =404; add_header Cache-Control "public, max-age=31536000, immutable"; }
  location ~ \\.[a-zA-Z0-9]+$ { try_files $uri =404; }
  location / { try_files $uri /index.html; add_header Cache-Control "no-cache"; }
}
`;
