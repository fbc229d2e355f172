import { createApp } from 'vue';
import App from './App.vue';
import router from './router.js';
import './styles.css';
import { startEarly } from './lib/api.js';

// The home page is what most visitors open: its headline number is asked for now,
// in parallel with loading the page's code, rather than after it.
if (location.pathname === '/') startEarly('/public/aqi/city');

createApp(App).use(router).mount('#app');
